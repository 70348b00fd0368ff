/**
 * Snapshot-mode rehearsal on PGlite boots the clone only where its directory changed (issue #17):
 * once on the snapshot's copy to apply the migration, once on the restored directory. after_apply
 * is read on the migration's own instance when its session is reset and proven empty
 * (session/reset.ts); anything that cannot be proven gone from the session (code loaded, another
 * session authorization) makes it read after_apply from a fresh instance, as before. Either way
 * after_apply is the committed state, and after_rollback is read from the restored directory.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDatabase } from "../../../src/lane/db/session.js";
import { cloneBackend, type CloneBackend } from "../../../src/lane/rehearsal/clone/backend.js";
import { runSnapshotRestore, type RunOutput } from "../../../src/lane/rehearsal/run-modes.js";
import {
  CLEAN_MIGRATION,
  CLONE_SETUP_SQL,
  digestPgliteDir,
  makePgliteClone,
  shippedRunInput,
  pgliteLaneConfig,
  tempRoot,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";

let root: Awaited<ReturnType<typeof tempRoot>>;
let dataDir: string;
let backend: CloneBackend;
let opens = 0;
let db: SqlDatabase | undefined;

beforeAll(async () => {
  root = await tempRoot("fc-snap-boots-");
  dataDir = await makePgliteClone(join(root.dir, "clone"), { setupSql: CLONE_SETUP_SQL, name: "clone" });
  const { config } = await writeLaneConfig(
    join(root.dir, "lane.json"),
    pgliteLaneConfig(dataDir, join(root.dir, "evidence"), { statement_timeout_ms: 5_000 }),
  );
  const shipped = cloneBackend(config);
  // The shipped backend, counting its boots.
  backend = {
    ...shipped,
    open: () => {
      opens += 1;
      return shipped.open();
    },
  };
}, 180_000);

afterAll(async () => {
  await db?.close();
  await root?.remove();
});

/** One snapshot_restore run of `sql` on the clone; `opens` counts the boots it made. */
async function run(sql: string): Promise<RunOutput> {
  db ??= await backend.open();
  opens = 0;
  const out = await runSnapshotRestore(db, shippedRunInput(backend, sql));
  db = out.db;
  return out;
}

describe("snapshot_restore on PGlite boots only where the directory changed (#17)", () => {
  let clean: RunOutput;

  it("must stay quiet: a clean migration boots twice (apply, restore) and the clone is back to before", async () => {
    clean = await run(CLEAN_MIGRATION);
    expect(opens).toBe(2);
    expect(clean).toMatchObject({ clean: true, kept: false });
    expect(clean.observation.serverError).toBe(false);
    expect(clean.observation.afterApply?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(clean.observation.afterApply?.digest).not.toBe(clean.observation.before?.digest);
    expect(clean.observation.afterRollback?.digest).toBe(clean.observation.before?.digest);
    // The boot after the restore read the restored directory: a reader of its own reads the same.
    await db?.close();
    db = undefined;
    expect((await digestPgliteDir(dataDir)).digest).toBe(clean.observation.before?.digest);
  });

  it.each([
    ["code loaded into the backend", "SELECT pg_catalog.to_tsvector('english', 'loaded libraries');"],
    ["another session authorization", "SET SESSION AUTHORIZATION pg_read_all_data;"],
  ])(
    "must fire: %s: after_apply is read from a fresh instance (a third boot), and it is the same committed state",
    async (_name, leftover) => {
      const out = await run(`${CLEAN_MIGRATION}${leftover}\n`);
      expect(opens).toBe(3);
      expect(out.clean).toBe(true);
      expect(out.observation.serverError).toBe(false);
      // The leftover committed nothing: the state after the apply is the clean migration's.
      expect(out.observation.afterApply?.digest).toBe(clean.observation.afterApply?.digest);
      expect(out.observation.afterRollback?.digest).toBe(clean.observation.before?.digest);
    },
  );

  it("must stay quiet: session settings and a temporary shadow are reset before after_apply is read on the same instance", async () => {
    const out = await run(
      `${CLEAN_MIGRATION}SELECT pg_catalog.set_config('search_path', 'pg_temp, public', false);\n` +
        "CREATE TEMP TABLE fc_shadow (a int) ON COMMIT PRESERVE ROWS;\n",
    );
    expect(opens).toBe(2);
    expect(out.observation.afterApply?.digest).toBe(clean.observation.afterApply?.digest);
    expect(out.observation.afterRollback?.digest).toBe(clean.observation.before?.digest);
  });

  it("must fire: a server error commits nothing, reads no after_apply, and the clone is restored", async () => {
    const out = await run(`${CLEAN_MIGRATION}SELECT 1/0;\n`);
    expect(out.observation.serverError).toBe(true);
    expect(out.observation.afterApply).toBeUndefined();
    expect(out.observation.afterRollback?.digest).toBe(clean.observation.before?.digest);
    expect(opens).toBe(2);
  });
});
