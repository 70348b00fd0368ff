/**
 * A loaded machine must not decide a verdict (issue 12: a default run with two busy loops ended
 * with C02, the lane's positive control, inconclusive because some clean rehearsals took longer
 * than the probe timeout). An artificially slow lane: some rehearsals take 1.5 times the probe
 * timeout (a load spike), answered correctly all the same. The control family closes; a lane that
 * really hangs is still a confirmed finding.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { familyContext } from "../../../src/fuzz/engine/family-context.js";
import { runFamily } from "../../../src/fuzz/engine/run-family.js";
import { loadSeedCorpus } from "../../../src/fuzz/engine/seed-corpus.js";
import { StateLock } from "../../../src/fuzz/engine/state-lock.js";
import { deriveKeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import type {
  FamilyContext,
  FamilyResult,
  Oracle,
  Outcome,
  ProbeFamily,
  Target,
} from "../../../src/fuzz/types.js";

const NO_CHANNELS = { stdout: "", stderr: "", files: new Map<string, Uint8Array>(), rows: [] };
const TIMEOUT_MS = 200;

/** Answers every rehearsal after `delayMs(count)`, or times out after the limit it was given. */
function slowLane(delayMs: (count: number) => number): Target & { limits: number[] } {
  let count = 0;
  const limits: number[] = [];
  return {
    name: "slow-lane",
    operations: ["decide", "rehearse"],
    limits,
    fire: (_op, bytes, timeoutMs) => {
      count++;
      limits.push(timeoutMs);
      const delay = delayMs(count);
      return new Promise<Outcome>((resolve) =>
        delay > timeoutMs
          ? setTimeout(
              () => resolve({ kind: "timed_out", elapsedMs: timeoutMs, channels: NO_CHANNELS }),
              timeoutMs,
            )
          : setTimeout(
              () =>
                resolve({
                  kind: "responded",
                  elapsedMs: delay,
                  headers: {},
                  body: bytes,
                  channels: NO_CHANNELS,
                }),
              delay,
            ),
      );
    },
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** F5 and F4 for a control, alone: it must be answered, in time. */
const controlOracle: Oracle = {
  name: "control",
  rule: "F5",
  appliesTo: "all",
  judge: ({ outcome }) =>
    Promise.resolve(
      outcome.kind === "responded" ? { kind: "pass" } : { kind: "fail", reason: `control ${outcome.kind}` },
    ),
};

const control: ProbeFamily<number> = {
  id: "C99",
  name: "slow-control",
  operation: "rehearse",
  role: "control",
  rules: ["C3"],
  minRuns: 12,
  arbitrary: () => fc.integer({ min: 0, max: 1_000_000 }),
  render: (value) => Promise.resolve(Buffer.from(JSON.stringify({ rows: value }))),
  breaks: () => undefined,
  describe: (value) => `clean migration of ${value} rows`,
};

let ctx: FamilyContext;

beforeAll(async () => {
  const kut = await deriveKeyringUnderTest("slow-machine-test");
  ctx = familyContext(kut, 1_781_265_600, "slow-machine-test", await loadSeedCorpus());
});

function run(target: Target): Promise<FamilyResult> {
  return runFamily({
    family: control,
    ctx,
    fire: {
      target,
      oracles: [controlOracle],
      timeoutMs: TIMEOUT_MS,
      canaries: [],
      sealedBy: () => Promise.resolve(undefined),
      stateLock: new StateLock(),
    },
    seed: 7,
    runs: 12,
    floor: 12,
    budgetMs: 60_000,
    concurrency: 2,
    signal: new AbortController().signal,
    emit: () => Promise.resolve(),
    versions: { failclosed: "test", node: process.version, fastCheck: "test" },
  });
}

describe("a control on a loaded machine", () => {
  it("closes when some clean rehearsals take longer than the probe timeout but are answered", async () => {
    // Every third rehearsal is a load spike of 1.5 times the probe timeout.
    const lane = slowLane((count) => (count % 3 === 0 ? 1.5 * TIMEOUT_MS : 10));
    const result = await run(lane);
    expect(result.status).toEqual({ kind: "closed" });
    expect(result.findings).toEqual([]);
    expect(result.runs).toBe(12);
    // The spikes were fired again, alone, with four times the timeout: that is how they passed.
    expect(lane.limits).toContain(4 * TIMEOUT_MS);
  }, 60_000);

  it("is still a confirmed finding when the lane really hangs on a clean rehearsal", async () => {
    const lane = slowLane((count) => (count >= 4 ? Number.POSITIVE_INFINITY : 10));
    const result = await run(lane);
    expect(result.status).toEqual({ kind: "finding" });
    expect(result.findings[0]).toMatchObject({ oracle: "control", confirmation: "confirmed" });
  }, 60_000);
});
