/**
 * The fuzzer's reference rehearsal lane, opened directly (no target around it) on a fresh seeded
 * PGlite clone, for tests that fire P08 values at it: the lane holds its share of the keyring
 * under test only (C7: the rehearsal private key and public halves, never owner or gate keys).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyOf } from "../../src/fuzz/craft/seal.js";
import type { KeyringUnderTest } from "../../src/fuzz/keyring/under-test.js";
import { splitKeyring } from "../../src/fuzz/targets/keyring-split.js";
import { createTemplateClone } from "../../src/fuzz/targets/reference-clone.js";
import type { FamilyContext } from "../../src/fuzz/types.js";
import { fixedClock } from "../../src/kernel/clock.js";
import type { LaneConfig } from "../../src/lane/rehearsal/config.js";
import { openLane, type Lane } from "../../src/lane/rehearsal/lane.js";
import { loadKeyringFromSources } from "../../src/lane/seal/keyring.js";

export interface OpenedReferenceLane {
  readonly lane: Lane;
  /** Closes the lane and removes its clone and evidence. */
  close(): Promise<void>;
}

export async function openReferenceLane(
  ctx: FamilyContext,
  kut: KeyringUnderTest,
  now: number,
  prefix: string,
): Promise<OpenedReferenceLane> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  try {
    const cloneDir = join(root, "clone");
    const evidenceDir = join(root, "evidence");
    await mkdir(evidenceDir);
    await createTemplateClone(cloneDir, keyOf(ctx, "operator"), now);
    const laneKeyring = await loadKeyringFromSources(splitKeyring(kut.sources).lane, { testMode: true });
    const config: LaneConfig = {
      clone: { engine: "pglite", dataDir: cloneDir },
      production: [{ database: "production" }],
      keyring: [],
      evidenceDir,
      statementTimeoutMs: 10_000,
      compareCluster: true,
    };
    const lane = await openLane(config, { testMode: true, keyring: laneKeyring, clock: fixedClock(now) });
    return {
      lane,
      close: async () => {
        await lane.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
