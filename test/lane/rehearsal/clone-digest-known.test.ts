/**
 * cloneDigest on PGlite remembers what it read (issue #17): the fuzzer reads the clone's state
 * around every probe, and most probes are refused before the clone is touched, so after a run
 * that reopened the clone every such read used to digest it afresh. What it read stands for the
 * connection it was read on until the next run or reopen, and the next transactional run takes
 * it as `before`. The digest is counted through the module the lane imports.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fixedClock } from "../../../src/kernel/clock.js";
import { openLane } from "../../../src/lane/rehearsal/lane.js";
import * as digestModule from "../../../src/lane/rehearsal/digest/digest.js";
import {
  CLEAN_MIGRATION,
  CLONE_SETUP_SQL,
  digestPgliteDir,
  LANE_SECONDS,
  LOADS_CODE_MIGRATION,
  makePgliteClone,
  pgliteLaneConfig,
  rehearsalRequest,
  requestBytes,
  tempRoot,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";

vi.mock("../../../src/lane/rehearsal/digest/digest.js", async (importOriginal) => {
  const original = await importOriginal<typeof digestModule>();
  return { ...original, digestDatabase: vi.fn(original.digestDatabase) };
});

const digests = (): number => vi.mocked(digestModule.digestDatabase).mock.calls.length;

let root: Awaited<ReturnType<typeof tempRoot>>;
let dir: string;

beforeAll(async () => {
  root = await tempRoot("fc-lane-known-");
  dir = await makePgliteClone(join(root.dir, "clone"), { setupSql: CLONE_SETUP_SQL, name: "clone" });
}, 180_000);

afterAll(async () => {
  await root?.remove();
});

describe("cloneDigest on PGlite reads the clone once per connection and run (#17)", () => {
  it("must stay quiet: after a run that reopened the clone, one digest answers every read until the next run, and equals a fresh reader's", async () => {
    const { config } = await writeLaneConfig(
      join(root.dir, "lane.json"),
      pgliteLaneConfig(dir, join(root.dir, "evidence")),
    );
    const lane = await openLane(config, { testMode: true, clock: fixedClock(LANE_SECONDS) });
    let read: string;
    try {
      // Code loaded into the backend: the run reopens the clone, so nothing is known after it.
      const loaded = await lane.rehearse(
        requestBytes(rehearsalRequest(LOADS_CODE_MIGRATION, "transactional")),
      );
      expect(loaded.result.verdict).toBe("PASS");
      const afterRun = digests();
      read = await lane.cloneDigest();
      expect(digests()).toBe(afterRun + 1);
      expect(await lane.cloneDigest()).toBe(read);
      expect(await lane.cloneDigest()).toBe(read);
      expect(digests()).toBe(afterRun + 1);
      expect(read).toBe(loaded.result.before);
      // The next run takes it as before: after_apply and after_rollback only.
      const next = await lane.rehearse(requestBytes(rehearsalRequest(CLEAN_MIGRATION, "transactional")));
      expect(next.result).toMatchObject({ verdict: "PASS", before: read });
      expect(digests()).toBe(afterRun + 3);
    } finally {
      await lane.close();
    }
    expect((await digestPgliteDir(dir)).digest).toBe(read);
  });

  it("must fire: a snapshot-mode run forgets it, and the read after it digests again", async () => {
    const { config } = await writeLaneConfig(
      join(root.dir, "lane-2.json"),
      pgliteLaneConfig(dir, join(root.dir, "evidence-2")),
    );
    const lane = await openLane(config, { testMode: true, clock: fixedClock(LANE_SECONDS) });
    try {
      const first = await lane.cloneDigest();
      const counted = digests();
      expect(await lane.cloneDigest()).toBe(first);
      expect(digests()).toBe(counted);
      const snapshot = await lane.rehearse(
        requestBytes(rehearsalRequest(CLEAN_MIGRATION, "snapshot_restore")),
      );
      expect(snapshot.result.verdict).toBe("PASS");
      const afterRun = digests();
      expect(await lane.cloneDigest()).toBe(first);
      expect(digests()).toBe(afterRun + 1);
    } finally {
      await lane.close();
    }
  });
});
