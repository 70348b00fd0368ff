/**
 * Issue #13/#14: a snapshot copy the lane cannot remove is reported, not silently retried. A
 * leftover snapshot database of the clone is made undroppable (a template database cannot be
 * dropped); the lane says so through its notice (stderr by default, which is what `rehearse`
 * users see) at start-up and after each snapshot_restore run, and still rehearses. Must stay
 * quiet: a clone without such leftovers gives no notice.
 */
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../../src/kernel/clock.js";
import { openLane } from "../../../src/lane/rehearsal/lane.js";
import {
  CLEAN_MIGRATION,
  CLONE_SETUP_SQL,
  cli,
  createLaneRole,
  createRealClone,
  LANE_SECONDS,
  PACKET_ID,
  realLaneConfig,
  rehearsalRequest,
  requestBytes,
  tempRoot,
  writeLaneConfig,
  rehearseArgs,
} from "../../support/lane-fixtures.js";
import { adminQuery, hasRealServer, REAL_SERVER_SKIP_REASON } from "../../support/real-postgres.js";

const title = hasRealServer()
  ? "leftover snapshots that cannot be removed"
  : `leftover snapshots that cannot be removed (skipped: ${REAL_SERVER_SKIP_REASON})`;

describe.skipIf(!hasRealServer())(title, () => {
  let root: Awaited<ReturnType<typeof tempRoot>>;
  let role: Awaited<ReturnType<typeof createLaneRole>>;
  const stuck: string[] = [];

  beforeAll(async () => {
    root = await tempRoot("fc-leftover-");
    role = await createLaneRole();
  }, 60_000);

  afterAll(async () => {
    for (const name of stuck) await adminQuery(`ALTER DATABASE "${name}" WITH IS_TEMPLATE false`);
    await role?.drop();
    await root?.remove();
  });

  /** A clone, its lane configuration, and (optionally) an undroppable leftover snapshot of it. */
  async function cloneWith(leftover: boolean) {
    const clone = await createRealClone(role, { setupSql: CLONE_SETUP_SQL });
    const { path, config } = await writeLaneConfig(
      join(root.dir, `${clone.name}.lane.json`),
      realLaneConfig(clone.url, join(root.dir, `${clone.name}-evidence`)),
    );
    // The name the backend gives this clone's snapshots (backend.ts, snapshotPrefix).
    const prefix = `fcsnap_${createHash("sha256").update(clone.name).digest("hex").slice(0, 12)}_`;
    const name = `${prefix}${randomBytes(8).toString("hex")}`;
    if (leftover) {
      await adminQuery(`CREATE DATABASE "${name}" OWNER "${role.name}" TEMPLATE template0`);
      await adminQuery(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true`);
      stuck.push(name);
    }
    return { path, config, name };
  }

  it("the lane reports it at start-up and after a snapshot_restore run, and still PASSes", async () => {
    const { config, name } = await cloneWith(true);
    const notices: string[] = [];
    const lane = await openLane(config, {
      testMode: true,
      clock: fixedClock(LANE_SECONDS),
      notice: (line) => notices.push(line),
    });
    try {
      const answer = await lane.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "snapshot_restore")));
      expect(answer.result.verdict).toBe("PASS");
    } finally {
      await lane.close();
    }
    expect(notices).toHaveLength(2);
    for (const line of notices) {
      expect(line).toContain("could not remove 1 snapshot copy");
      expect(line).toContain(name);
    }
  }, 180_000);

  it("must stay quiet: a clone without leftovers gives no notice", async () => {
    const { config } = await cloneWith(false);
    const notices: string[] = [];
    const lane = await openLane(config, {
      testMode: true,
      clock: fixedClock(LANE_SECONDS),
      notice: (line) => notices.push(line),
    });
    try {
      const answer = await lane.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "snapshot_restore")));
      expect(answer.result.verdict).toBe("PASS");
    } finally {
      await lane.close();
    }
    expect(notices).toEqual([]);
  }, 180_000);

  it("`failclosed rehearse` prints it on stderr as a NOTICE; stdout keeps the verdict", async () => {
    const { path, name } = await cloneWith(true);
    const file = join(root.dir, "clean.sql");
    await writeFile(file, CLEAN_MIGRATION);
    const run = await cli(rehearseArgs(path, file, "transactional", PACKET_ID));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASS\n/);
    expect(run.stderr).toMatch(/^failclosed: NOTICE: could not remove 1 snapshot copy of clone postgres:/);
    expect(run.stderr).toContain(name);
  }, 180_000);
});
