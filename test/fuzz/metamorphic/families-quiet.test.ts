/**
 * Must stay quiet at scale: the decide families a default run fires (controls, unauthorised
 * actions, options, blockers, evidence, seals, malformed and leaking requests), with every oracle,
 * the metamorphic one included, against the shipped reference lane: no finding. And the oracle did
 * fire its variants there (more requests reached the target than the families made probes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as c01 } from "../../../probes/c01-gate-control.js";
import { family as p01 } from "../../../probes/p01-malformed-packet.js";
import { family as p02 } from "../../../probes/p02-forged-seal.js";
import { family as p03 } from "../../../probes/p03-unauthorized-action.js";
import { family as p05 } from "../../../probes/p05-option-escalation.js";
import { family as p06 } from "../../../probes/p06-blocker-bypass.js";
import { family as p09 } from "../../../probes/p09-evidence-tamper.js";
import { family as p10 } from "../../../probes/p10-token-leak.js";
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { runFuzz } from "../../../src/fuzz/engine/engine.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import type { ProbeFamily } from "../../../src/fuzz/types.js";
import { counting, openBench, type Bench } from "./support.js";

const RUNS = 40;
const SEED = 20_260_612;
let bench: Bench;

beforeAll(async () => {
  bench = await openBench();
});
afterAll(() => bench.close());

const FAMILIES: readonly ProbeFamily[] = [c01, p01, p02, p03, p05, p06, p09, p10];

function scaled(family: ProbeFamily): ProbeFamily {
  return { ...family, minRuns: RUNS };
}

describe("the metamorphic oracle on the shipped reference lane", () => {
  it(`stays quiet on ${RUNS} runs of every decide family, having fired variants`, async () => {
    let fired = (): number => 0;
    const report = await runFuzz({
      families: FAMILIES.map(scaled),
      openTarget: async () => {
        const counted = counting(await bench.open());
        fired = counted.fired;
        return counted.target;
      },
      oracles: ORACLES,
      canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
      keyringUnderTest: () => Promise.resolve(bench.kut),
      now: bench.ctx.now,
      seed: SEED,
      budgetMs: 600_000,
      concurrency: 1,
      familyConcurrency: 2,
      timeoutMs: 60_000,
      signal: new AbortController().signal,
      reporters: [],
    });
    const findings = report.families.flatMap((f) =>
      f.findings.map((x) => `${x.family} ${x.oracle}: ${x.reason}`),
    );
    expect(findings).toEqual([]);
    expect(report.families.map((f) => [f.family, f.status.kind])).toEqual(
      FAMILIES.map((f) => [f.id, "closed"]),
    );
    expect(fired()).toBeGreaterThan(report.totals.probes + RUNS);
  }, 900_000);
});
