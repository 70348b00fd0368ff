/**
 * The rehearsal lane end to end on PGlite clones (SPEC C1-C7, E1-E4): request bytes in, result,
 * evidence directory and evidence seal out. Every case digests the clone from outside the lane
 * before and after (digestDatabase on its own PGlite handle, with the lane closed: one process
 * per data directory) and asserts the clone came back exactly as it was, whatever the verdict.
 *
 * One template clone is made per file (initdb takes seconds); the others are copies of it with a
 * fresh marker. Lanes run on a fixed clock so the sealed claims are compared exactly.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  LaneReason,
  Mode,
  RehearsalRequest,
  RehearsalVerdict,
} from "../../../src/lane/codec/documents.js";
import { isFailclosedError } from "../../../src/kernel/errors.js";
import { openPglite } from "../../../src/lane/db/pglite.js";
import type { SqlDatabase } from "../../../src/lane/db/session.js";
import type { LaneConfig, ProductionIdentity } from "../../../src/lane/rehearsal/config.js";
import type { DatabaseDigest } from "../../../src/lane/rehearsal/digest/digest.js";
import { guardClone, type GuardOutcome } from "../../../src/lane/rehearsal/guard.js";
import { openLane, type LaneAnswer } from "../../../src/lane/rehearsal/lane.js";
import { openLaneAnswerer } from "../../../src/lane/server/lane-service.js";
import { loadKeyring, type Keyring } from "../../../src/lane/seal/keyring.js";
import {
  CLEAN_MIGRATION,
  CLONE_SETUP_SQL,
  digestOf,
  digestPgliteDir,
  dropMarker,
  expectCliVerifies,
  expectEvidence,
  GATE_PRIVATE,
  LANE_KEYRING,
  listDir,
  makePgliteClone,
  markerSealedBy,
  openTestLane,
  operatorMarker,
  OWNER_PRIVATE,
  pgliteLaneConfig,
  publicKeyring,
  type RawLaneConfig,
  rehearsalRequest,
  rehearseOnce,
  REHEARSAL_PRIVATE,
  replaceMarker,
  requestBytes,
  tempRoot,
  withPglite,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";

let root: { dir: string; remove: () => Promise<void> };
let template: string;
let keyring: Keyring;

beforeAll(async () => {
  root = await tempRoot("fc-lane-pglite-");
  template = await makePgliteClone(join(root.dir, "template"), {
    setupSql: CLONE_SETUP_SQL,
    name: "template",
  });
  keyring = await publicKeyring();
});

afterAll(async () => {
  await root?.remove();
});

/**
 * A clone directory and its lane configuration. `rehearse` records the digest before (the last
 * one taken: nothing but the lane touches the directory between cases) and after, so every case
 * can assert after == before.
 */
class Clone {
  private last: DatabaseDigest | undefined;
  constructor(
    readonly dir: string,
    readonly evidenceDir: string,
    readonly config: LaneConfig,
  ) {}

  static async copy(name: string, extra: Partial<RawLaneConfig> = {}): Promise<Clone> {
    const dir = await makePgliteClone(join(root.dir, name), { fromDir: template, name });
    const evidenceDir = join(root.dir, `${name}-evidence`);
    const { config } = await writeLaneConfig(
      join(root.dir, `${name}.lane.json`),
      pgliteLaneConfig(dir, evidenceDir, extra),
    );
    return new Clone(dir, evidenceDir, config);
  }

  async digest(): Promise<DatabaseDigest> {
    this.last = await digestPgliteDir(this.dir);
    return this.last;
  }

  /** Changes the clone outside the lane (marker tampering), then takes the next `before`. */
  async alter(fn: (db: SqlDatabase) => Promise<void>): Promise<void> {
    this.last = await withPglite(this.dir, async (db) => {
      await fn(db);
      return digestOf(db);
    });
  }

  async rehearse(
    request: RehearsalRequest | Uint8Array,
    config: LaneConfig = this.config,
  ): Promise<{ answer: LaneAnswer; before: DatabaseDigest; after: DatabaseDigest }> {
    const before = this.last ?? (await this.digest());
    const answer = await rehearseOnce(config, request);
    const after = await this.digest();
    return { answer, before, after };
  }
}

/** Verdict and reasons exactly, the evidence (C7), and the clone back to `before` (F3). */
async function expectOutcome(
  clone: Clone,
  request: RehearsalRequest,
  verdict: RehearsalVerdict,
  reasons: readonly LaneReason[],
  config?: LaneConfig,
): Promise<{ answer: LaneAnswer; before: DatabaseDigest }> {
  const { answer, before, after } = await clone.rehearse(request, config);
  expect({ verdict: answer.result.verdict, reasons: answer.result.reasons }).toEqual({ verdict, reasons });
  await expectEvidence(answer, request, keyring);
  expect(after.digest).toBe(before.digest);
  expect(after).toEqual(before);
  return { answer, before };
}

describe("a clean migration passes in both modes", () => {
  let clone: Clone;
  beforeAll(async () => {
    clone = await Clone.copy("clean");
  });

  it.each<Mode>(["transactional", "snapshot_restore"])(
    "%s: PASS, evidence verified by the CLI, clone back to before",
    async (mode) => {
      const request = rehearsalRequest(CLEAN_MIGRATION, mode);
      const { answer, before } = await expectOutcome(clone, request, "PASS", []);
      const r = answer.result;
      expect(r.before).toBe(before.digest);
      expect(r.after_rollback).toBe(before.digest);
      expect(r.after_apply).toMatch(/^[0-9a-f]{64}$/);
      expect(r.after_apply).not.toBe(before.digest);
      const { dir, jwsPath, claims } = await expectEvidence(answer, request, keyring);
      expect(await expectCliVerifies(dir, r.evidence_tree ?? "", jwsPath)).toEqual(claims);
      // The digest files hold the real digests: after_apply shows the new table and its 3 rows.
      const applied = JSON.parse(
        await readFile(join(dir, "digests", "after_apply.json"), "utf8"),
      ) as DatabaseDigest;
      expect(applied.counts["table:public.rehearsed_orders"]).toBe(3);
      expect(before.counts["table:public.rehearsed_orders"]).toBeUndefined();
    },
  );

  it("two rehearsals sent at once run one at a time on one lane and both pass", async () => {
    const before = await clone.digest();
    const lane = await openTestLane(clone.config);
    const requests = [
      rehearsalRequest(CLEAN_MIGRATION, "transactional"),
      rehearsalRequest(CLEAN_MIGRATION, "transactional"),
    ];
    let answers: LaneAnswer[];
    try {
      answers = await Promise.all(requests.map((r) => lane.rehearse(requestBytes(r))));
    } finally {
      await lane.close();
    }
    for (const [i, answer] of answers.entries()) {
      expect(answer.result.verdict).toBe("PASS");
      expect(answer.result.before).toBe(before.digest);
      await expectEvidence(answer, requests[i] as RehearsalRequest, keyring);
    }
    expect((await clone.digest()).digest).toBe(before.digest);
  });

  it("the transports' answerer classes a PASS as pass and malformed bytes as malformed", async () => {
    const { lane, rehearse } = await openLaneAnswerer(clone.config, { testMode: true });
    try {
      const pass = await rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "transactional")));
      expect(pass.class).toBe("pass");
      const malformed = await rehearse(new Uint8Array(Buffer.from("{")));
      expect(malformed.class).toBe("malformed");
      expect(JSON.parse(Buffer.from(malformed.bytes).toString("utf8"))).toEqual({
        kind: "rehearsal-result",
        v: 1,
        verdict: "REFUSED",
        reasons: ["malformed_input"],
      });
    } finally {
      await lane.close();
    }
    await clone.digest();
  });
});

describe("the classifier refuses before anything runs (C2)", () => {
  let clone: Clone;
  beforeAll(async () => {
    clone = await Clone.copy("classifier");
  });

  const refused: ReadonlyArray<readonly [string, string]> = [
    ["COMMIT in the middle", "CREATE TABLE t1 (a int);\nCOMMIT;\nCREATE TABLE t2 (a int);\n"],
    ["END in the middle", "CREATE TABLE t1 (a int);\nEND;\nINSERT INTO accounts VALUES (3, 'gamma');\n"],
    ["PREPARE TRANSACTION", "INSERT INTO accounts VALUES (3, 'gamma');\nPREPARE TRANSACTION 'x';\n"],
    ["VACUUM", "DELETE FROM accounts WHERE id = 2;\nVACUUM;\n"],
    ["CREATE INDEX CONCURRENTLY", "CREATE INDEX CONCURRENTLY accounts_label ON accounts (label);\n"],
    ["CREATE ROLE", "CREATE ROLE fc_escaped_role LOGIN SUPERUSER;\n"],
    ["COPY … TO PROGRAM", "CREATE TABLE t (a int);\nCOPY t TO PROGRAM 'id';\n"],
  ];

  it.each(refused)(
    "%s: REFUSED refused_by_classifier, no digest taken, clone unchanged",
    async (_name, sql) => {
      const request = rehearsalRequest(sql, "transactional");
      const { answer } = await expectOutcome(clone, request, "REFUSED", ["refused_by_classifier"]);
      expect(answer.result).toMatchObject({ before: null, after_apply: null, after_rollback: null });
    },
  );

  it.each(refused.slice(0, 2))("%s in snapshot_restore mode: refused the same way", async (_name, sql) => {
    await expectOutcome(clone, rehearsalRequest(sql, "snapshot_restore"), "REFUSED", [
      "refused_by_classifier",
    ]);
  });
});

describe("runs that fail put the clone back", () => {
  let clone: Clone;
  beforeAll(async () => {
    clone = await Clone.copy("failing");
  });

  it("setval on a pre-existing sequence, transactional: FAIL sequence_drift, then the lane repairs it", async () => {
    const request = rehearsalRequest("SELECT pg_catalog.setval('ticket_seq', 500);\n", "transactional");
    const { answer, before } = await expectOutcome(clone, request, "FAIL", ["sequence_drift"]);
    // The evidence keeps what the rollback left (the drifted sequence); the clone itself is repaired.
    expect(answer.result.before).toBe(before.digest);
    expect(answer.result.after_rollback).toBe(answer.result.after_apply);
    expect(answer.result.after_rollback).not.toBe(before.digest);
    const rolledBack = JSON.parse(
      await readFile(join(answer.evidenceDir ?? "", "digests", "after_rollback.json"), "utf8"),
    ) as DatabaseDigest;
    const changed = Object.keys(before.sections).filter((s) => before.sections[s] !== rolledBack.sections[s]);
    expect(changed).toEqual(["sequence:public.ticket_seq"]);
  });

  it("setval in snapshot_restore mode: the restore puts the sequence back, so it passes", async () => {
    const request = rehearsalRequest("SELECT pg_catalog.setval('ticket_seq', 500);\n", "snapshot_restore");
    await expectOutcome(clone, request, "PASS", []);
  });

  it("a no-op migration: FAIL no_change", async () => {
    const request = rehearsalRequest("SELECT 1;\n", "transactional");
    const { answer, before } = await expectOutcome(clone, request, "FAIL", ["no_change"]);
    expect(answer.result).toMatchObject({
      before: before.digest,
      after_apply: before.digest,
      after_rollback: before.digest,
    });
  });

  it("a server error mid-migration, transactional: FAIL server_error, no after_apply", async () => {
    const sql =
      "CREATE TABLE halfway (a int);\nINSERT INTO halfway VALUES (1);\nINSERT INTO halfway VALUES (1 / 0);\n";
    const { answer, before } = await expectOutcome(clone, rehearsalRequest(sql, "transactional"), "FAIL", [
      "server_error",
    ]);
    expect(answer.result).toMatchObject({
      before: before.digest,
      after_apply: null,
      after_rollback: before.digest,
    });
  });

  it("a server error mid-migration, snapshot_restore: FAIL server_error, no after_apply (nothing was committed)", async () => {
    const sql =
      "CREATE TABLE halfway (a int);\nINSERT INTO halfway VALUES (1);\nINSERT INTO halfway VALUES (1 / 0);\n";
    const { answer, before } = await expectOutcome(clone, rehearsalRequest(sql, "snapshot_restore"), "FAIL", [
      "server_error",
    ]);
    expect(answer.result).toMatchObject({
      before: before.digest,
      after_apply: null,
      after_rollback: before.digest,
    });
  });

  it("a server error after nextval on a pre-existing sequence: FAIL server_error and sequence_drift, clone repaired", async () => {
    const sql = "SELECT pg_catalog.nextval('ticket_seq');\nSELECT 1 / 0;\n";
    await expectOutcome(clone, rehearsalRequest(sql, "transactional"), "FAIL", [
      "server_error",
      "sequence_drift",
    ]);
  });

  /**
   * PGlite never cancels a statement itself; the lane runs its clone in a worker thread and stops
   * a migration past statement_timeout_ms by ending the worker (pglite-worker.ts), so pg_sleep or
   * an endless recursive query fails the run with server_error, as on a real server
   * (lane-real.test.ts), and the process keeps running meanwhile.
   */
  it.each<Mode>(["transactional", "snapshot_restore"])(
    "statement_timeout_ms bounds a migration on PGlite as it does on a real server (%s)",
    async (mode) => {
      const { config } = await writeLaneConfig(
        join(root.dir, `failing-timeout-${mode}.lane.json`),
        pgliteLaneConfig(clone.dir, clone.evidenceDir, { statement_timeout_ms: 500 }),
      );
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 50);
      const sql =
        "CREATE TABLE slow (a int);\nSELECT pg_catalog.pg_sleep(600);\n" +
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r;\n";
      try {
        await expectOutcome(clone, rehearsalRequest(sql, mode), "FAIL", ["server_error"], config);
      } finally {
        clearInterval(ticker);
      }
      expect(ticks).toBeGreaterThan(5);
    },
  );
});

describe("the guard refuses a database that is not a marked clone (C1)", () => {
  let clone: Clone;
  beforeAll(async () => {
    clone = await Clone.copy("guarded");
  });

  const request = () => rehearsalRequest(CLEAN_MIGRATION, "transactional");

  it("production.databases names the clone's current_database: REFUSED production_identity", async () => {
    // A PGlite clone's database is "postgres"; only the guard's own query can see that.
    const { config } = await writeLaneConfig(
      join(root.dir, "guarded-prod.lane.json"),
      pgliteLaneConfig(clone.dir, clone.evidenceDir, { production: { databases: ["postgres"] } }),
    );
    await expectOutcome(clone, request(), "REFUSED", ["refused_by_guard", "production_identity"], config);
  });

  it("a configured clone URL whose database is production: REFUSED before connecting", async () => {
    // Port 1 has no server: had the lane connected, this would be a FAIL internal_error.
    const { config } = await writeLaneConfig(join(root.dir, "url-prod.lane.json"), {
      ...pgliteLaneConfig(clone.dir, clone.evidenceDir),
      clone: { engine: "postgres", url: "postgres://lane@127.0.0.1:1/fix7_production" },
    });
    await expectOutcome(clone, request(), "REFUSED", ["refused_by_guard", "production_identity"], config);
  });

  it("a production URL (host, port, database) matching the clone URL: REFUSED before connecting", async () => {
    const { config } = await writeLaneConfig(join(root.dir, "url-prod2.lane.json"), {
      ...pgliteLaneConfig(clone.dir, clone.evidenceDir),
      clone: { engine: "postgres", url: "postgres://lane@127.0.0.1:1/ledger" },
      production: { databases: [], urls: ["postgres://admin@db.internal:1/ledger"] },
    });
    await expectOutcome(clone, request(), "REFUSED", ["refused_by_guard", "production_identity"], config);
  });

  it("a clone the lane cannot reach: FAIL internal_error with evidence, never an exception", async () => {
    const { config } = await writeLaneConfig(join(root.dir, "unreachable.lane.json"), {
      ...pgliteLaneConfig(clone.dir, clone.evidenceDir),
      clone: { engine: "postgres", url: "postgres://lane@127.0.0.1:1/fix7_clone" },
    });
    await expectOutcome(clone, request(), "FAIL", ["internal_error"], config);
  });

  it("a marker naming another database: REFUSED marker_invalid", async () => {
    const foreign = await operatorMarker("elsewhere", "fix7_other_clone");
    await clone.alter((db) => replaceMarker(db, foreign));
    await expectOutcome(clone, request(), "REFUSED", ["refused_by_guard", "marker_invalid"]);
  });

  it.each([
    ["the lane's own rehearsal key", REHEARSAL_PRIVATE],
    ["the owner's key", OWNER_PRIVATE],
  ])("a marker naming this database but sealed by %s: REFUSED marker_invalid", async (_name, file) => {
    const forged = await markerSealedBy(file, "postgres");
    await clone.alter((db) => replaceMarker(db, forged));
    await expectOutcome(clone, request(), "REFUSED", ["refused_by_guard", "marker_invalid"]);
  });

  it("a marker row that is not a JWS: REFUSED marker_invalid", async () => {
    await clone.alter((db) => replaceMarker(db, "not-a-jws"));
    await expectOutcome(clone, request(), "REFUSED", ["refused_by_guard", "marker_invalid"]);
  });

  it("no marker at all: REFUSED no_marker", async () => {
    await clone.alter(dropMarker);
    await expectOutcome(clone, request(), "REFUSED", ["refused_by_guard", "no_marker"]);
  });

  it("an empty marker table: REFUSED no_marker", async () => {
    await clone.alter(async (db) => {
      await db.exec(
        "CREATE SCHEMA failclosed_clone; CREATE TABLE failclosed_clone.marker (id integer PRIMARY KEY, jws text NOT NULL);",
      );
    });
    await expectOutcome(clone, request(), "REFUSED", ["refused_by_guard", "no_marker"]);
  });

  it("a fresh operator marker for this database makes the same clone pass again (positive control)", async () => {
    const marker = await operatorMarker("guarded", "postgres");
    await clone.alter((db) => replaceMarker(db, marker));
    await expectOutcome(clone, request(), "PASS", []);
  });
});

describe("guardClone's real-server rules, checked on an in-memory PGlite", () => {
  // The guard skips its superuser rule on PGlite (its only role is the bootstrap superuser); here
  // it is told the engine is "postgres" and run under SET ROLE, which exercises the rule without
  // granting built-in roles on the shared server (that would change every database's digest).
  let db: SqlDatabase;
  let laneKeyring: Keyring;
  beforeAll(async () => {
    db = await openPglite();
    laneKeyring = await loadKeyring([...LANE_KEYRING], { testMode: true });
    await replaceMarker(db, await operatorMarker("guard-unit", "postgres"));
    await db.exec(`CREATE ROLE runner; GRANT pg_execute_server_program TO runner;
CREATE ROLE writer; GRANT pg_write_server_files TO writer;
CREATE ROLE reader; GRANT pg_read_server_files TO reader;
CREATE ROLE nested; GRANT runner TO nested;
CREATE ROLE plain;
GRANT USAGE ON SCHEMA failclosed_clone TO PUBLIC; GRANT SELECT ON failclosed_clone.marker TO PUBLIC;`);
  });
  afterAll(async () => {
    await db?.close();
  });

  function guardAs(
    role: string | undefined,
    engine: "pglite" | "postgres",
    production: readonly ProductionIdentity[] = [],
  ): Promise<GuardOutcome> {
    return db.withSession(async (session) => {
      if (role !== undefined) await session.query(`SET ROLE ${role}`);
      try {
        return await guardClone(session, engine, production, laneKeyring);
      } finally {
        await session.query("RESET ROLE");
      }
    });
  }

  it.each(["runner", "writer", "reader", "nested"])(
    "a role that reaches server files or programs (%s) counts as a superuser",
    async (role) => {
      expect(await guardAs(role, "postgres")).toEqual({ ok: false, reason: "superuser" });
    },
  );

  it("the superuser itself is refused on a real server and accepted on PGlite", async () => {
    expect(await guardAs(undefined, "postgres")).toEqual({ ok: false, reason: "superuser" });
    expect(await guardAs(undefined, "pglite")).toMatchObject({
      ok: true,
      database: "postgres",
      clone: "guard-unit",
    });
  });

  it("an ordinary role on a marked clone passes", async () => {
    expect(await guardAs("plain", "postgres")).toMatchObject({
      ok: true,
      database: "postgres",
      clone: "guard-unit",
    });
  });

  it("a production identity matches by name, and by port only when one is given", async () => {
    expect(await guardAs("plain", "postgres", [{ database: "postgres" }])).toMatchObject({
      ok: false,
      reason: "production_identity",
    });
    expect(await guardAs("plain", "postgres", [{ database: "postgres", port: "5432" }])).toMatchObject({
      ok: false,
      reason: "production_identity",
    });
    expect(await guardAs("plain", "postgres", [{ database: "postgres", port: "5433" }])).toMatchObject({
      ok: true,
      database: "postgres",
      clone: "guard-unit",
    });
  });
});

describe("requests refused on their own terms", () => {
  let clone: Clone;
  beforeAll(async () => {
    clone = await Clone.copy("inputs");
  });

  it("an artifact_sha256 that is not the migration's: REFUSED artifact_mismatch, with evidence", async () => {
    const request = rehearsalRequest(CLEAN_MIGRATION, "transactional", {
      artifact_sha256: rehearsalRequest(`${CLEAN_MIGRATION}\n`, "transactional").artifact_sha256,
    });
    await expectOutcome(clone, request, "REFUSED", ["artifact_mismatch"]);
  });

  it.each([
    ["not JSON", '{"kind":'],
    [
      "a duplicate member",
      JSON.stringify(rehearsalRequest(CLEAN_MIGRATION, "transactional")).replace(
        "{",
        '{"mode":"snapshot_restore",',
      ),
    ],
  ])("%s: REFUSED malformed_input, no evidence directory", async (_name, text) => {
    const evidenceBefore = await listDir(clone.evidenceDir);
    const { answer, before, after } = await clone.rehearse(new Uint8Array(Buffer.from(text, "utf8")));
    expect(answer.result).toEqual({
      kind: "rehearsal-result",
      v: 1,
      verdict: "REFUSED",
      reasons: ["malformed_input"],
    });
    expect(answer.evidenceDir).toBeUndefined();
    expect(await listDir(clone.evidenceDir)).toEqual(evidenceBefore);
    expect(after.digest).toBe(before.digest);
  });

  it("a request that names its own database: REFUSED schema_violation, no evidence directory", async () => {
    const bytes = requestBytes({
      ...rehearsalRequest(CLEAN_MIGRATION, "transactional"),
      database: "postgres",
    });
    const evidenceBefore = await listDir(clone.evidenceDir);
    const { answer, before, after } = await clone.rehearse(bytes);
    expect(answer.result).toEqual({
      kind: "rehearsal-result",
      v: 1,
      verdict: "REFUSED",
      reasons: ["schema_violation"],
    });
    expect(answer.evidenceDir).toBeUndefined();
    expect(await listDir(clone.evidenceDir)).toEqual(evidenceBefore);
    expect(after.digest).toBe(before.digest);
  });
});

describe("the lane's keyring (C7)", () => {
  let config: RawLaneConfig;
  beforeAll(() => {
    config = pgliteLaneConfig(join(root.dir, "never-opened"), join(root.dir, "never-evidence"));
  });

  it.each([
    ["owner", OWNER_PRIVATE],
    ["gate", GATE_PRIVATE],
  ])("a keyring holding the %s private key refuses to open: KEY_WRONG_ROLE", async (role, file) => {
    const { config: withKey } = await writeLaneConfig(join(root.dir, `${role}-key.lane.json`), {
      ...config,
      keyring: [...LANE_KEYRING, file],
    });
    const opened = openTestLane(withKey);
    await expect(opened).rejects.toSatisfy(
      (e: unknown) => isFailclosedError(e) && e.code === "KEY_WRONG_ROLE" && e.message.includes(role),
    );
  });

  it("a keyring without a rehearsal private key refuses to open: KEY_MISSING", async () => {
    const { config: noKey } = await writeLaneConfig(join(root.dir, "no-key.lane.json"), {
      ...config,
      keyring: [LANE_KEYRING[1]],
    });
    await expect(openTestLane(noKey)).rejects.toSatisfy(
      (e: unknown) => isFailclosedError(e) && e.code === "KEY_MISSING",
    );
  });

  it("the test keyring is refused outside test mode", async () => {
    const { config: plain } = await writeLaneConfig(join(root.dir, "plain.lane.json"), config);
    await expect(openLane(plain, { testMode: false })).rejects.toSatisfy(
      (e: unknown) => isFailclosedError(e) && e.code === "TEST_KEYRING_REFUSED",
    );
  });
});
