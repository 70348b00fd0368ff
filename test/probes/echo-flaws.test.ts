/**
 * Issue #15, every channel watched: for each flawed component that echoes its input (G7), a run of
 * the family meant to catch it, alone, at its minimum runs and the command line's default budget,
 * ends in a confirmed finding by the echo oracle (exit code 1). The refusal that scrapes an id is
 * a strict verdict with the right status: no other oracle sees it (test/fuzz/oracles/echo.test.ts).
 * And the shipped lane, judged by every oracle, stays closed on the families that carry markers.
 */
import { flawedOpener } from "../../src/fuzz/calibrate/open-flawed.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p01 } from "../../probes/p01-malformed-packet.js";
import { family as p08 } from "../../probes/p08-rollback-escape.js";
import { family as p10 } from "../../probes/p10-token-leak.js";
import { exitCodeOf } from "../../src/cli/commands/run.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { refusalScrapesRequestId } from "../../src/fuzz/calibrate/flaws/p01-refusal-scrapes-request-id.js";
import { resultQuotesServerError } from "../../src/fuzz/calibrate/flaws/p08-result-quotes-server-error.js";
import { canariesFromJwks } from "../../src/fuzz/canary/index.js";
import { runFuzz } from "../../src/fuzz/engine/engine.js";
import { ORACLES } from "../../src/fuzz/oracles/index.js";
import type { Report } from "../../src/fuzz/report-types.js";
import type { ReferenceComponents } from "../../src/fuzz/targets/reference.js";
import type { Oracle, ProbeFamily } from "../../src/fuzz/types.js";

/** The command line's default budget (failclosed run --budget). */
const BUDGET_MS = 100_000;
const SEED = 20_260_612;

interface EchoingLane {
  readonly family: ProbeFamily;
  readonly flaw: string;
  readonly components?: ReferenceComponents;
  /** What the finding's reason must say: the finding is the flaw's. */
  readonly says: RegExp;
}

const ECHOING_LANES: readonly EchoingLane[] = [
  {
    family: p01,
    flaw: "verdict writer: a refusal gives back the request_id scraped from refused bytes",
    components: { gate: { writeVerdict: refusalScrapesRequestId } },
    says: /G7: the DENY carries a request_id although the codec refused the request/,
  },
  {
    family: p08,
    flaw: "result writer: a refusal quotes the server's error with the migration's statement",
    components: { lane: { writeResult: resultQuotesServerError } },
    says: /G7: echo marker fcmk_[0-9a-f]{24} \(raw\) from the request echoed in body/,
  },
];

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "failclosed-echo-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** `failclosed run --only <family>` on the reference lane, with one component swapped. */
function fuzzEchoingLane(
  lane: EchoingLane,
  oracles: readonly Oracle[],
  runs = lane.family.minRuns,
): Promise<Report> {
  return runFuzz({
    families: [lane.family],
    openTarget: flawedOpener({ kind: "component", components: lane.components ?? {} }, workDir),
    oracles,
    canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
    seed: SEED,
    runs,
    budgetMs: BUDGET_MS,
    concurrency: 1,
    // One chunk at a time: the run stops at the first failure, and its runs count up to it.
    familyConcurrency: 1,
    timeoutMs: 15_000,
    signal: new AbortController().signal,
    reporters: [],
    freshTargets: true,
  });
}

describe("the echo oracle finds each flawed component that echoes its input (G7)", () => {
  for (const lane of ECHOING_LANES) {
    it(
      `${lane.family.id} ${lane.family.name} finds the flawed ${lane.flaw}`,
      async () => {
        const report = await fuzzEchoingLane(lane, ORACLES);
        const result = report.families[0];
        expect(result?.status, JSON.stringify(result?.status)).toEqual({ kind: "finding" });
        const finding = result?.findings[0];
        expect(finding?.oracle, finding?.reason).toBe("echo");
        expect(finding?.reason).toMatch(lane.says);
        expect(finding?.confirmation).toBe("confirmed");
        expect(exitCodeOf(report)).toBe(EXIT.NEGATIVE);
      },
      BUDGET_MS + 60_000,
    );
  }
});

/**
 * P08's 150 rehearsals take minutes on a loaded 2-core machine: its shipped-lane check is a sample
 * of that many runs, every oracle judging, which must end without a finding (and is inconclusive
 * only for being below the minimum); P01 and P10 run in full.
 */
const SHIPPED_RUNS: ReadonlyMap<string, number> = new Map([["P08", 8]]);

describe("the shipped reference lane echoes nothing", () => {
  for (const family of [p01, p10, p08]) {
    const runs = SHIPPED_RUNS.get(family.id) ?? family.minRuns;
    it(
      `${family.id} ${family.name}: ${runs} runs, every oracle judging, markers in every probe, no finding`,
      async () => {
        const report = await fuzzEchoingLane({ family, flaw: "none", says: /^$/ }, ORACLES, runs);
        const result = report.families[0];
        expect(result?.findings.map((f) => `${f.oracle}: ${f.reason}`)).toEqual([]);
        expect(result?.runs).toBeGreaterThanOrEqual(runs);
        if (runs >= family.minRuns) expect(result?.status).toEqual({ kind: "closed" });
        else
          expect(result?.status).toMatchObject({
            kind: "inconclusive",
            why: expect.stringMatching(/runs/) as unknown,
          });
      },
      BUDGET_MS + 120_000,
    );
  }
});
