/**
 * What lives outside the clone's database (issue #14): leftover snapshots are removed at start-up
 * and after every snapshot rehearsal (PGlite directories, server databases of this clone only);
 * on a real server, the lane role's own settings and the clone database's attributes changed
 * through a function are restored or the clone is refused as dirty, never left to linger unseen.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ok } from "../../../src/kernel/result.js";
import { fixedClock } from "../../../src/kernel/clock.js";
import type { Classify } from "../../../src/lane/rehearsal/components.js";
import type { LaneConfig } from "../../../src/lane/rehearsal/config.js";
import { openLane } from "../../../src/lane/rehearsal/lane.js";
import {
  CLEAN_MIGRATION,
  CLONE_SETUP_SQL,
  createLaneRole,
  createRealClone,
  digestUrl,
  LANE_SECONDS,
  makePgliteClone,
  pgliteLaneConfig,
  realLaneConfig,
  rehearsalRequest,
  rehearseOnce,
  requestBytes,
  tempRoot,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";
import { adminQuery, hasRealServer, REAL_SERVER_SKIP_REASON } from "../../support/real-postgres.js";

let root: Awaited<ReturnType<typeof tempRoot>>;
beforeAll(async () => {
  root = await tempRoot("fc-lane-outside-");
});
afterAll(async () => {
  await root?.remove();
});

/** A classifier that missed the spelling: the lane's own defences must hold without it. */
const MISSED: Classify = (sql) =>
  Promise.resolve(
    ok({ statementCount: sql === "" ? 0 : 1, statementTypes: ["unclassified"], parserVersion: 0 }),
  );

async function rehearseMissed(config: LaneConfig, sql: string, mode: "transactional" | "snapshot_restore") {
  const lane = await openLane(config, {
    testMode: true,
    clock: fixedClock(LANE_SECONDS),
    components: { classify: MISSED },
  });
  try {
    return (await lane.rehearse(requestBytes(rehearsalRequest(sql, mode)))).result;
  } finally {
    await lane.close();
  }
}

describe("leftover snapshots on PGlite", () => {
  it("snapshot and half-restored directories of this clone are removed at start-up; another clone's are not", async () => {
    const dir = await makePgliteClone(join(root.dir, "leftovers"), {
      setupSql: CLONE_SETUP_SQL,
      name: "leftovers",
    });
    const mine = [`${dir}.snapshot-0123456789ab`, `${dir}.applied-0123456789ab`];
    const theirs = join(root.dir, "other-clone.snapshot-0123456789ab");
    for (const path of [...mine, theirs]) await mkdir(join(path, "base"), { recursive: true });
    const { config } = await writeLaneConfig(
      join(root.dir, "leftovers.lane.json"),
      pgliteLaneConfig(dir, join(root.dir, "leftovers-evidence")),
    );
    const answer = await rehearseOnce(config, rehearsalRequest(CLEAN_MIGRATION, "snapshot_restore"));
    expect(answer.result.verdict).toBe("PASS");
    const names = await readdir(dirname(dir));
    const own = names.filter(
      (n) => n.startsWith(`${basename(dir)}.snapshot-`) || n.startsWith(`${basename(dir)}.applied-`),
    );
    expect(own).toEqual([]);
    expect(names).toContain("other-clone.snapshot-0123456789ab");
  }, 120_000);
});

const title = hasRealServer() ? "on a real server" : `on a real server (skipped: ${REAL_SERVER_SKIP_REASON})`;
describe.skipIf(!hasRealServer())(title, () => {
  let role: Awaited<ReturnType<typeof createLaneRole>>;
  beforeAll(async () => {
    role = await createLaneRole();
  });
  afterAll(async () => {
    await role?.drop();
  });

  async function clone(name: string) {
    const made = await createRealClone(role, { setupSql: CLONE_SETUP_SQL });
    const { config } = await writeLaneConfig(
      join(root.dir, `${name}.lane.json`),
      realLaneConfig(made.url, join(root.dir, `${name}-evidence`)),
    );
    return { ...made, config };
  }

  it("a leftover fcsnap_ database of this clone is dropped at start-up", async () => {
    const c = await clone("pg-leftover");
    const tag = createHash("sha256").update(c.name).digest("hex").slice(0, 12);
    const leftover = `fcsnap_${tag}_deadbeefdeadbeef`;
    await adminQuery(`CREATE DATABASE "${leftover}" OWNER "${role.name}" TEMPLATE template0`);
    const answer = await rehearseOnce(c.config, rehearsalRequest(CLEAN_MIGRATION, "transactional"));
    expect(answer.result.verdict).toBe("PASS");
    const rows = await adminQuery(`SELECT 1 FROM pg_catalog.pg_database WHERE datname = '${leftover}'`);
    expect(rows.rows).toEqual([]);
  });

  it("the lane role's own settings changed through a function in snapshot_restore mode: FAIL, then the clone is refused as dirty", async () => {
    const c = await clone("pg-role-settings");
    const before = await digestUrl(c.url);
    const sql = `${CLEAN_MIGRATION}DO $$ BEGIN
  EXECUTE pg_catalog.format('ALTER ROLE %I SET search_path = pg_temp, public', CURRENT_USER);
  EXECUTE pg_catalog.format('ALTER ROLE %I SET default_transaction_read_only = on', CURRENT_USER);
END $$;\n`;
    try {
      const first = await rehearseMissed(c.config, sql, "snapshot_restore");
      expect(first).toMatchObject({ verdict: "FAIL", before: before.digest });
      expect(first.reasons).toContain("not_restored");
      const next = await rehearseMissed(c.config, CLEAN_MIGRATION, "transactional");
      expect(next).toMatchObject({ verdict: "REFUSED", reasons: ["refused_by_guard", "not_restored"] });
    } finally {
      await adminQuery(`ALTER ROLE "${role.name}" RESET ALL`);
    }
  });

  it("the same change in transactional mode rolls back with the migration: PASS, nothing lingers", async () => {
    const c = await clone("pg-role-settings-tx");
    const sql = `${CLEAN_MIGRATION}DO $$ BEGIN EXECUTE pg_catalog.format('ALTER ROLE %I SET search_path = pg_temp, public', CURRENT_USER); END $$;\n`;
    expect(await rehearseMissed(c.config, sql, "transactional")).toMatchObject({ verdict: "PASS" });
    const settings = await adminQuery(
      `SELECT 1 FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole WHERE r.rolname = '${role.name}'`,
    );
    expect(settings.rows).toEqual([]);
  });

  it("the clone database made a template and closed to connections in snapshot_restore mode: the restore undoes it and the clone passes again", async () => {
    const c = await clone("pg-template");
    const before = await digestUrl(c.url);
    const sql = `${CLEAN_MIGRATION}DO $$ BEGIN
  EXECUTE pg_catalog.format('ALTER DATABASE %I IS_TEMPLATE true', pg_catalog.current_database());
  EXECUTE pg_catalog.format('ALTER DATABASE %I CONNECTION LIMIT 0', pg_catalog.current_database());
END $$;\n`;
    const first = await rehearseMissed(c.config, sql, "snapshot_restore");
    expect(first).toMatchObject({ before: before.digest, after_rollback: before.digest });
    const attributes = await adminQuery(
      `SELECT datistemplate, datconnlimit FROM pg_catalog.pg_database WHERE datname = '${c.name}'`,
    );
    expect(attributes.rows).toEqual([{ datistemplate: false, datconnlimit: -1 }]);
    expect((await digestUrl(c.url)).digest).toBe(before.digest);
    const next = await rehearseOnce(c.config, rehearsalRequest(CLEAN_MIGRATION, "snapshot_restore"));
    expect(next.result).toMatchObject({ verdict: "PASS", before: before.digest });
  });
});
