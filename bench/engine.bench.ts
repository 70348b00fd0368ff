import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { family as tokenLeak } from "../probes/p10-token-leak.js";
import { canariesFromJwks } from "../src/fuzz/canary/index.js";
import { familyContext } from "../src/fuzz/engine/family-context.js";
import { deriveKeyringUnderTest } from "../src/fuzz/keyring/under-test.js";
import { loadSeedCorpus } from "../src/fuzz/engine/seed-corpus.js";
import { runFamily } from "../src/fuzz/engine/run-family.js";
import { sealedByKeyring } from "../src/fuzz/engine/sealed-by.js";
import { ORACLES } from "../src/fuzz/oracles/index.js";
import { referenceOpener } from "../src/fuzz/targets/opener.js";
import { openHttpTarget } from "../src/fuzz/targets/index.js";
import type { FamilyContext, ProbeFamily, Target } from "../src/fuzz/types.js";
import { fixedClock } from "../src/kernel/clock.js";
import { startHttpServer } from "../src/lane/server/http.js";
import { openGateService } from "../src/lane/server/gate-service.js";
import { loadKeyringFromSources } from "../src/lane/seal/keyring.js";
import { splitKeyring } from "../src/fuzz/targets/keyring-split.js";
import type { BenchSuite } from "./harness.js";

const PROBES = 400;
const NOW = 1_781_265_600;
const SALT = "bench-engine";
/** As a default run: two sub-seeds of a family at once; the bare limits keep as many in flight. */
const IN_FLIGHT = 2;

/** Sends every body through `send`, IN_FLIGHT at a time, in order of starting. */
async function fireAll(bodies: readonly Uint8Array[], send: (body: Uint8Array) => Promise<void>) {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < bodies.length; i = next++) await send(bodies[i]!);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

/**
 * The engine's throughput against the bare limit: the same probes (P10, whose gate answers are
 * quick) fired through the whole engine (generation, rendering, state snapshots, every oracle)
 * versus their pre-rendered bytes fired straight at the same target.
 */
let cleanup: Array<() => Promise<void>> = [];

async function engineRun(
  family: ProbeFamily,
  ctx: FamilyContext,
  target: Target,
  canaries: readonly string[],
  seed: number,
) {
  await runFamily({
    family,
    ctx,
    fire: { target, oracles: ORACLES, timeoutMs: 10_000, canaries, sealedBy: sealedByKeyring(ctx.keyring) },
    seed,
    runs: PROBES,
    floor: PROBES,
    budgetMs: 600_000,
    concurrency: IN_FLIGHT,
    signal: new AbortController().signal,
    emit: () => Promise.resolve(),
    versions: { failclosed: "bench", node: process.version, fastCheck: "bench" },
  });
}

export const suite: BenchSuite = {
  name: "engine",
  async pairs() {
    const kut = await deriveKeyringUnderTest(SALT);
    const ctx: FamilyContext = familyContext(kut, NOW, SALT, await loadSeedCorpus());
    const canaries = canariesFromJwks(kut.jwkSets);
    const family = tokenLeak as ProbeFamily;
    const values = fc.sample(family.arbitrary(ctx), { numRuns: PROBES, seed: 1 });
    const bytes = await Promise.all(values.map((v) => family.render(v, ctx)));
    const workDir = await mkdtemp(join(tmpdir(), "fc-bench-engine-"));
    const reference = await referenceOpener(workDir)(kut, NOW);
    const gateKeyring = await loadKeyringFromSources(splitKeyring(kut.sources).gate, { testMode: true });
    const service = await openGateService({
      keyring: gateKeyring,
      database: { engine: "pglite" },
      clock: fixedClock(NOW),
      gateKid: kut.kids.gate,
    });
    const server = await startHttpServer(service);
    const http = openHttpTarget(`${server.url}/`);
    cleanup = [
      () => reference.close(),
      () => http.close(),
      () => server.close(),
      () => service.close(),
      () => rm(workDir, { recursive: true, force: true }),
    ];
    let seed = 0;
    const direct = (target: Target) => () =>
      fireAll(bytes, async (body) => void (await target.fire("decide", body, 10_000)));
    const raw = () =>
      fireAll(bytes, async (body) => {
        const res = await fetch(`${server.url}/v1/decide`, { method: "POST", body });
        await res.arrayBuffer();
      });
    return [
      {
        group: `engine: ${PROBES} P10 probes, in process`,
        subject: {
          name: "runFamily (render, fire, state, 5 oracles)",
          fn: () => engineRun(family, ctx, reference, canaries, ++seed),
        },
        limit: { name: "pre-rendered bytes fired at the target, two in flight", fn: direct(reference) },
        opsPerRound: 1,
        rounds: 3,
        unitsPerOp: PROBES,
      },
      {
        group: `engine: ${PROBES} P10 probes, over HTTP`,
        subject: {
          name: "runFamily against the HTTP target",
          fn: () => engineRun(family, ctx, http, canaries, ++seed),
        },
        limit: { name: "raw fetch of the same bodies, two in flight", fn: raw },
        opsPerRound: 1,
        rounds: 3,
        unitsPerOp: PROBES,
      },
    ];
  },
  async teardown() {
    for (const close of cleanup) await close().catch(() => undefined);
  },
};
