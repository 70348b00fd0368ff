/**
 * The migration's deadline is one per rehearsal, not one per call (issue #14): a migration whose
 * code runs in two of the lane's calls (the script, then a deferred constraint trigger that
 * `SET CONSTRAINTS ALL IMMEDIATE` or `COMMIT` fires), each well under statement_timeout_ms but
 * together past it, FAILs server_error with its evidence and the clone equal to before, in both
 * modes, on PGlite and on PostgreSQL 15 (when FAILCLOSED_TEST_DATABASE_URL is set). The control: the
 * same migration with short sleeps PASSes, so the FAIL is the deadline's.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mode } from "../../../src/lane/codec/documents.js";
import type { LaneConfig } from "../../../src/lane/rehearsal/config.js";
import type { DatabaseDigest } from "../../../src/lane/rehearsal/digest/digest.js";
import { fixedClock } from "../../../src/kernel/clock.js";
import { migrationDeadline, MigrationDeadlineError } from "../../../src/lane/rehearsal/session/deadline.js";
import { openLane } from "../../../src/lane/rehearsal/lane.js";
import { loadKeyring } from "../../../src/lane/seal/keyring.js";
import {
  CLONE_SETUP_SQL,
  createLaneRole,
  createRealClone,
  digestPgliteDir,
  digestUrl,
  expectEvidence,
  LANE_KEYRING,
  LANE_SECONDS,
  makePgliteClone,
  pgliteLaneConfig,
  realLaneConfig,
  rehearsalRequest,
  requestBytes,
  tempRoot,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";
import { hasRealServer } from "../../support/real-postgres.js";

/** The lane's statement_timeout_ms in these tests. */
const LIMIT_MS = 3_000;

/** Sleeps `seconds` in the script and again in a deferred constraint trigger: two calls. */
const twoCalls = (seconds: number): string => `CREATE TABLE fc_slow (a int);
CREATE FUNCTION fc_late() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  SET statement_timeout = 0;
  PERFORM pg_catalog.pg_sleep(${seconds});
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER fc_slow_commit AFTER INSERT ON fc_slow DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fc_late();
SELECT pg_catalog.pg_sleep(${seconds});
INSERT INTO fc_slow VALUES (1);
`;

/** Each call 1.8 s (60 % of the limit), both together 3.6 s: past it. */
const PAST_THE_DEADLINE = twoCalls((0.6 * LIMIT_MS) / 1_000);
const WITHIN_THE_DEADLINE = twoCalls(0.05);

describe("migrationDeadline", () => {
  it("stops a call from outside once the time is spent, and starts none after (fires)", async () => {
    let stopped = 0;
    const deadline = migrationDeadline(50, () => {
      stopped += 1;
      return Promise.resolve();
    });
    await expect(deadline.run(() => new Promise((resolve) => setTimeout(resolve, 10)))).resolves.toBe(
      undefined,
    );
    await expect(
      deadline.run(() => new Promise((resolve) => setTimeout(resolve, 5_000))),
    ).rejects.toBeInstanceOf(MigrationDeadlineError);
    expect(stopped).toBe(1);
    let started = false;
    await expect(
      deadline.run(() => {
        started = true;
        return Promise.resolve(1);
      }),
    ).rejects.toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    expect([started, deadline.remainingMs()]).toEqual([false, 0]);
  });

  it("lets calls that fit in the time through, untouched (quiet)", async () => {
    let stopped = 0;
    const deadline = migrationDeadline(5_000, () => {
      stopped += 1;
      return Promise.resolve();
    });
    await expect(deadline.run(() => Promise.resolve("a"))).resolves.toBe("a");
    await expect(deadline.run(() => Promise.reject(new Error("own")))).rejects.toThrow("own");
    expect(stopped).toBe(0);
    expect(deadline.remainingMs()).toBeGreaterThan(0);
  });
});

interface Clone {
  readonly config: LaneConfig;
  digest(): Promise<DatabaseDigest>;
}

const MODES: readonly Mode[] = ["transactional", "snapshot_restore"];

function deadlineSuite(clone: () => Clone): void {
  async function rehearse(sql: string, mode: Mode) {
    const before = await clone().digest();
    const request = rehearsalRequest(sql, mode);
    const lane = await openLane(clone().config, { testMode: true, clock: fixedClock(LANE_SECONDS) });
    try {
      const answer = await lane.rehearse(requestBytes(request));
      return { answer, request, before };
    } finally {
      await lane.close();
    }
  }

  it.each(MODES)(
    "two calls each under statement_timeout_ms, together past it: FAIL server_error with evidence, clone equal (%s)",
    async (mode) => {
      const { answer, request, before } = await rehearse(PAST_THE_DEADLINE, mode);
      expect(answer.result).toMatchObject({ verdict: "FAIL", reasons: ["server_error"] });
      await expectEvidence(answer, request, await loadKeyring([...LANE_KEYRING], { testMode: true }));
      expect((await clone().digest()).digest).toBe(before.digest);
    },
    120_000,
  );

  it.each(MODES)(
    "the same two calls with short sleeps PASS (%s)",
    async (mode) => {
      const { answer, before } = await rehearse(WITHIN_THE_DEADLINE, mode);
      expect(answer.result).toMatchObject({ verdict: "PASS", reasons: [] });
      expect((await clone().digest()).digest).toBe(before.digest);
    },
    120_000,
  );
}

describe("one deadline per rehearsal on PGlite", () => {
  let root: Awaited<ReturnType<typeof tempRoot>>;
  let clone: Clone;
  beforeAll(async () => {
    root = await tempRoot("fc-lane-deadline-");
    const dir = await makePgliteClone(join(root.dir, "clone"), { setupSql: CLONE_SETUP_SQL });
    const { config } = await writeLaneConfig(
      join(root.dir, "lane.json"),
      pgliteLaneConfig(dir, join(root.dir, "evidence"), { statement_timeout_ms: LIMIT_MS }),
    );
    clone = { config, digest: () => digestPgliteDir(dir) };
  }, 120_000);
  afterAll(async () => {
    await root?.remove();
  });
  deadlineSuite(() => clone);
});

describe.skipIf(!hasRealServer())("one deadline per rehearsal on PostgreSQL 15", () => {
  let root: Awaited<ReturnType<typeof tempRoot>>;
  let role: Awaited<ReturnType<typeof createLaneRole>>;
  let clone: Clone;
  beforeAll(async () => {
    root = await tempRoot("fc-lane-deadline-real-");
    role = await createLaneRole();
    const real = await createRealClone(role, { setupSql: CLONE_SETUP_SQL });
    const { config } = await writeLaneConfig(
      join(root.dir, "lane.json"),
      realLaneConfig(real.url, join(root.dir, "evidence"), { statement_timeout_ms: LIMIT_MS }),
    );
    clone = { config, digest: () => digestUrl(real.url) };
  }, 120_000);
  afterAll(async () => {
    await role?.drop();
    await root?.remove();
  });
  deadlineSuite(() => clone);
});
