/**
 * The lane against migrations that attack its own session (issues #14, #18), as one suite that
 * runs on PGlite (session-escapes.test.ts) and on a real server (session-escapes-real.test.ts):
 * fixed settings and qualified names in every read, deferred constraints, repairs in `finally`,
 * a deadline the migration cannot switch off, disposable sessions, and every entry of the P08
 * escape table. Every case checks the clone from outside the lane: equal to before, whatever the
 * verdict.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { LaneReason, Mode, RehearsalRequest } from "../../../src/lane/codec/documents.js";
import type { LaneConfig } from "../../../src/lane/rehearsal/config.js";
import type { Classify, Digest } from "../../../src/lane/rehearsal/components.js";
import { ok } from "../../../src/kernel/result.js";
import { digestDatabase, type DatabaseDigest } from "../../../src/lane/rehearsal/digest/digest.js";
import { openLane, type LaneAnswer } from "../../../src/lane/rehearsal/lane.js";
import { fixedClock } from "../../../src/kernel/clock.js";
import type { Keyring } from "../../../src/lane/seal/keyring.js";
import { LANE_SESSION_ESCAPES } from "../../../src/fuzz/vocab/lane-session-escapes.js";
import {
  CLEAN_MIGRATION,
  expectEvidence,
  LANE_SECONDS,
  rehearsalRequest,
  requestBytes,
} from "../../support/lane-fixtures.js";
import {
  cleanMigrationSetting,
  DEFERRED_FK,
  ENCODING_NOOP,
  HOSTILE_SETTINGS,
  NO_ADVISORY_LOCK_HELD,
  PG_TEMP_SHADOW,
  SETTINGS_CONTROL,
  TAKE_LOCKS,
  TIMEOUTS_OFF_THEN_SLEEP,
} from "./escape-cases.js";

/** One clone the suite may rehearse on, seen from outside the lane. */
export interface SuiteClone {
  /** The lane configuration (statement_timeout_ms small: the deadline cases wait for it). */
  readonly config: LaneConfig;
  /** The clone's digest, read outside the lane with no lane open. */
  digest(): Promise<DatabaseDigest>;
}

export interface SuiteEngine {
  readonly engine: "pglite" | "postgres";
  readonly keyring: () => Keyring;
  /**
   * A new clone (with the reference setup: ticket_seq, accounts; with rows that are not ASCII,
   * fc_words) for one describe block.
   */
  clone(name: string): Promise<SuiteClone>;
  /** Escape entries that may PASS in snapshot_restore mode on this engine, with why. */
  readonly snapshotMayPass: ReadonlySet<string>;
}

/**
 * The lane's own defences against what the classifier refuses (pg_terminate_backend, session
 * advisory locks, DO blocks): a classifier that missed a spelling, so the run reaches the lane.
 */
const MISSED_BY_CLASSIFIER: Classify = (sql) =>
  Promise.resolve(
    ok({ statementCount: sql === "" ? 0 : 1, statementTypes: ["unclassified"], parserVersion: 0 }),
  );

async function rehearse(
  clone: SuiteClone,
  sql: string,
  mode: Mode,
  digest?: Digest,
  classify?: Classify,
): Promise<{ answer: LaneAnswer; request: RehearsalRequest; before: DatabaseDigest; after: DatabaseDigest }> {
  const before = await clone.digest();
  const request = rehearsalRequest(sql, mode);
  const lane = await openLane(clone.config, {
    testMode: true,
    clock: fixedClock(LANE_SECONDS),
    components: {
      ...(digest === undefined ? {} : { digest }),
      ...(classify === undefined ? {} : { classify }),
    },
  });
  let answer: LaneAnswer;
  try {
    answer = await lane.rehearse(requestBytes(request));
  } finally {
    await lane.close();
  }
  const after = await clone.digest();
  return { answer, request, before, after };
}

/** Not a PASS (or exactly `reasons`), evidence written and sealed, the clone as it was. */
async function expectClosed(
  engine: SuiteEngine,
  clone: SuiteClone,
  sql: string,
  mode: Mode,
  reasons?: readonly LaneReason[],
  classify?: Classify,
): Promise<LaneAnswer> {
  const { answer, request, before, after } = await rehearse(clone, sql, mode, undefined, classify);
  expect(answer.result.verdict).not.toBe("PASS");
  if (reasons !== undefined) expect(answer.result.reasons).toEqual(reasons);
  await expectEvidence(answer, request, engine.keyring());
  expect(after.digest).toBe(before.digest);
  return answer;
}

const MODES: readonly Mode[] = ["transactional", "snapshot_restore"];

/** Throws on the n-th digest (1: before, 2: after_apply, …): an error after the migration. */
function digestFailingAt(n: number): Digest {
  let calls = 0;
  return async (session) => {
    calls += 1;
    if (calls === n) throw new Error("injected: the lane failed after the migration ran");
    return digestDatabase(session);
  };
}

export function sessionSuite(engine: SuiteEngine): void {
  describe("the lane's reads take the session back from the migration (#18)", () => {
    let clone: SuiteClone;
    beforeAll(async () => {
      clone = await engine.clone("reads");
    });

    it.each(MODES.flatMap((mode) => ["GB18030", "LATIN1"].map((enc) => [enc, mode] as const)))(
      "a no-op that leaves client_encoding %s does not PASS and does not hang (%s)",
      async (encoding, mode) => {
        const answer = await expectClosed(engine, clone, ENCODING_NOOP(encoding), mode);
        expect(answer.result.reasons.some((r) => r === "no_change" || r === "server_error")).toBe(true);
      },
      150_000,
    );

    it("a pg_temp.text domain with pg_temp first on search_path, transactional: FAIL sequence_drift, clone equal to before", async () => {
      await expectClosed(engine, clone, PG_TEMP_SHADOW, "transactional", ["sequence_drift"]);
    });

    it("the same shadow in snapshot_restore mode: the restore undoes the sequence and the reads are not fooled (PASS)", async () => {
      const { answer, before, after } = await rehearse(clone, PG_TEMP_SHADOW, "snapshot_restore");
      expect(answer.result).toMatchObject({
        verdict: "PASS",
        before: before.digest,
        after_rollback: before.digest,
      });
      expect(after.digest).toBe(before.digest);
    });

    it.each(MODES)("a deferred foreign-key violation FAILs server_error (%s)", async (mode) => {
      await expectClosed(engine, clone, DEFERRED_FK, mode, ["server_error"]);
    });

    it.each(MODES)(
      "an error injected after the migration (in after_apply's digest) leaves no sequence advanced (%s)",
      async (mode) => {
        const sql = `SELECT pg_catalog.nextval('ticket_seq');\nSELECT pg_catalog.setval('ticket_seq', 9000);\n${CLEAN_MIGRATION}`;
        const { answer, before, after } = await rehearse(clone, sql, mode, digestFailingAt(2));
        expect(answer.result.verdict).toBe("FAIL");
        expect(after.digest).toBe(before.digest);
        expect(after.sections["sequence:public.ticket_seq"]).toBe(
          before.sections["sequence:public.ticket_seq"],
        );
      },
    );
  });

  describe("a test per setting a migration can change from PL/pgSQL (#18)", () => {
    let clone: SuiteClone;
    let control: string;
    beforeAll(async () => {
      clone = await engine.clone("settings");
      const { answer } = await rehearse(clone, SETTINGS_CONTROL, "transactional");
      expect(answer.result.verdict).toBe("PASS");
      control = answer.result.after_apply ?? "";
    });

    it.each(
      HOSTILE_SETTINGS.map((s) => [s.name, s.set, s.kills === true || s.kills === engine.engine] as const),
    )(
      "%s (SET %s) for the session: the lane reads exactly what the control reads, or FAILs, clone equal",
      async (_name, set, kills) => {
        const { answer, before, after } = await rehearse(clone, cleanMigrationSetting(set), "transactional");
        expect(after.digest).toBe(before.digest);
        if (!kills) expect(answer.result.verdict).toBe("PASS");
        if (answer.result.verdict === "PASS") expect(answer.result.after_apply).toBe(control);
      },
      150_000,
    );
  });

  describe("disposable sessions and a deadline the migration cannot touch (#14)", () => {
    let clone: SuiteClone;
    beforeAll(async () => {
      clone = await engine.clone("sessions");
    });

    it.each(MODES)(
      "statement_timeout switched off from a function, then a long sleep: FAIL server_error by the lane's deadline (%s)",
      async (mode) => {
        await expectClosed(engine, clone, TIMEOUTS_OFF_THEN_SLEEP, mode, ["server_error"]);
      },
      150_000,
    );

    it.each(MODES)(
      "a migration that kills its own session: FAIL with evidence, clone equal (%s)",
      async (mode) => {
        const sql = `SELECT pg_catalog.nextval('ticket_seq');\n${CLEAN_MIGRATION}SELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid());\n`;
        const { answer, request, before, after } = await rehearse(
          clone,
          sql,
          mode,
          undefined,
          MISSED_BY_CLASSIFIER,
        );
        await expectEvidence(answer, request, engine.keyring());
        expect(after.digest).toBe(before.digest);
        // PGlite has no other backend to signal and ignores it; a server ends the session: FAIL.
        if (engine.engine === "postgres") expect(answer.result.verdict).toBe("FAIL");
      },
    );

    it.each(MODES)(
      "a tiny idle_session_timeout set from a function: never a crash or a hang, clone equal (%s)",
      async (mode) => {
        const sql = cleanMigrationSetting(
          "idle_session_timeout = 1; SET idle_in_transaction_session_timeout = 1",
        );
        const { answer, request, before, after } = await rehearse(clone, sql, mode);
        await expectEvidence(answer, request, engine.keyring());
        expect(after.digest).toBe(before.digest);
      },
      150_000,
    );

    it.each(MODES)(
      "an advisory lock taken by a rehearsal that PASSes is not held by anything afterwards (%s)",
      async (mode) => {
        const lane = await openLane(clone.config, {
          testMode: true,
          clock: fixedClock(LANE_SECONDS),
          components: { classify: MISSED_BY_CLASSIFIER },
        });
        try {
          const first = await lane.rehearse(requestBytes(rehearsalRequest(TAKE_LOCKS, mode)));
          expect(first.result.verdict).toBe("PASS");
          // The same lane, still open: its next migration sees no lock and no prepared statement.
          const second = await lane.rehearse(requestBytes(rehearsalRequest(NO_ADVISORY_LOCK_HELD, mode)));
          expect(second.result).toMatchObject({ verdict: "PASS", reasons: [] });
        } finally {
          await lane.close();
        }
      },
    );
  });

  describe("every entry of the P08 session-escape table is refused or FAILs (C2-C6)", () => {
    let clone: SuiteClone;
    beforeAll(async () => {
      clone = await engine.clone("table");
    });

    it.each(MODES.flatMap((mode) => LANE_SESSION_ESCAPES.map((e) => [e.name, mode, e.sql] as const)))(
      "%s (%s)",
      async (name, mode, sql) => {
        const { answer, request, before, after } = await rehearse(clone, sql, mode);
        await expectEvidence(answer, request, engine.keyring());
        expect(after.digest).toBe(before.digest);
        if (mode === "transactional" || !engine.snapshotMayPass.has(name))
          expect(answer.result.verdict).not.toBe("PASS");
      },
      150_000,
    );
  });
}
