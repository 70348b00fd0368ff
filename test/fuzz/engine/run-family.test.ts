import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { plantCanaryKey } from "../../../src/fuzz/canary/index.js";
import { deriveKeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import { runFamily, type FamilyRunOptions } from "../../../src/fuzz/engine/run-family.js";
import { familyContext } from "../../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../../src/fuzz/engine/seed-corpus.js";
import type { EngineEvent } from "../../../src/fuzz/events.js";
import type { FamilyContext, Oracle, Outcome, ProbeFamily, Target } from "../../../src/fuzz/types.js";

/**
 * A synthetic family: values are lists of small integers; a list "breaks a rule" when it holds a
 * number above 10. The fake target answers with the bytes it was sent, and the fake oracle fails
 * when a number above `threshold` is in them, so shrinking has a known minimum.
 */
interface Value {
  readonly numbers: readonly number[];
}

const NO_CHANNELS = { stdout: "", stderr: "", files: new Map<string, Uint8Array>(), rows: [] };

function syntheticFamily(overrides: Partial<ProbeFamily<Value>> = {}): ProbeFamily<Value> {
  return {
    id: "T01",
    name: "synthetic",
    operation: "decide",
    role: "attack",
    rules: ["R0"],
    minRuns: 50,
    arbitrary: () =>
      fc.record({ numbers: fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 8 }) }),
    render: (value) => Promise.resolve(Buffer.from(JSON.stringify(value.numbers))),
    breaks: (value) => (value.numbers.some((n) => n > 10) ? "R0: a number above 10" : undefined),
    describe: (value) => `numbers ${value.numbers.join(",")}`,
    ...overrides,
  };
}

function echoTarget(answer?: (bytes: Uint8Array, count: number) => Outcome): Target & { fired: number } {
  const target = {
    name: "echo",
    operations: ["decide", "rehearse"] as const,
    fired: 0,
    fire(_op: string, bytes: Uint8Array): Promise<Outcome> {
      target.fired++;
      const outcome: Outcome = answer?.(bytes, target.fired) ?? {
        kind: "responded",
        elapsedMs: 0,
        headers: {},
        body: bytes,
        channels: NO_CHANNELS,
      };
      return Promise.resolve(outcome);
    },
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return target;
}

function thresholdOracle(threshold: number): Oracle {
  return {
    name: "threshold",
    rule: "F1",
    appliesTo: "all",
    judge: ({ outcome }) => {
      if (outcome.kind !== "responded") return Promise.resolve({ kind: "pass" });
      const numbers = JSON.parse(Buffer.from(outcome.body).toString("utf8")) as number[];
      return Promise.resolve(
        numbers.some((n) => n > threshold)
          ? { kind: "fail", reason: `saw a number above ${threshold}` }
          : { kind: "pass" },
      );
    },
  };
}

/** The echo target, answering after `ms` milliseconds. */
function slowTarget(ms: number): Target & { fired: number } {
  const slow = echoTarget();
  const fire = slow.fire.bind(slow);
  slow.fire = async (op, bytes, timeout) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return fire(op, bytes, timeout);
  };
  return slow;
}

/** F4's hang, alone: a probe that got no answer in time fails. */
const hangOracle: Oracle = {
  name: "hang",
  rule: "F4",
  appliesTo: "all",
  judge: ({ outcome }) =>
    Promise.resolve(outcome.kind === "timed_out" ? { kind: "fail", reason: "hang" } : { kind: "pass" }),
};

let ctx: FamilyContext;

beforeAll(async () => {
  const kut = await deriveKeyringUnderTest("engine-test");
  ctx = familyContext(kut, 1_781_265_600, "engine-test", await loadSeedCorpus());
});

function options(
  family: ProbeFamily<Value>,
  target: Target,
  oracle: Oracle,
  extra: Partial<FamilyRunOptions> = {},
) {
  const events: EngineEvent[] = [];
  const opts: FamilyRunOptions = {
    family: family,
    ctx,
    fire: {
      target,
      oracles: [oracle],
      timeoutMs: 1_000,
      canaries: [],
      sealedBy: () => Promise.resolve(undefined),
    },
    seed: 42,
    runs: 200,
    floor: family.minRuns,
    budgetMs: 30_000,
    concurrency: 1,
    signal: new AbortController().signal,
    emit: (event) => {
      events.push(event);
      return Promise.resolve();
    },
    versions: { failclosed: "test", node: process.version, fastCheck: "test" },
    ...extra,
  };
  return { opts, events };
}

describe("runFamily", () => {
  it("closes a family whose probes all pass, with its runs counted", async () => {
    const { opts, events } = options(syntheticFamily(), echoTarget(), thresholdOracle(10_000));
    const result = await runFamily(opts);
    expect(result.status).toEqual({ kind: "closed" });
    expect(result.runs).toBe(200);
    expect(result.findings).toEqual([]);
    expect(events[0]?.type).toBe("family-start");
    expect(events.at(-1)?.type).toBe("family-end");
  });

  it("skips generated values that break no rule: they are never fired", async () => {
    const sent: number[][] = [];
    const target = echoTarget((bytes) => {
      sent.push(JSON.parse(Buffer.from(bytes).toString("utf8")) as number[]);
      return { kind: "responded", elapsedMs: 0, headers: {}, body: bytes, channels: NO_CHANNELS };
    });
    await runFamily(options(syntheticFamily(), target, thresholdOracle(10_000)).opts);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((numbers) => numbers.some((n) => n > 10))).toBe(true);
  });

  it("shrinks a failure to a minimal probe that still breaks the rule, and confirms it", async () => {
    const { opts, events } = options(syntheticFamily(), echoTarget(), thresholdOracle(500));
    const result = await runFamily(opts);
    expect(result.status).toEqual({ kind: "finding" });
    const finding = result.findings[0];
    expect(finding?.confirmation).toBe("confirmed");
    expect(finding?.oracle).toBe("threshold");
    const numbers = JSON.parse(Buffer.from(finding?.bytesB64 ?? "", "base64").toString("utf8")) as number[];
    // Minimal: one number, just above the oracle's threshold (the predicate keeps it above 10).
    expect(numbers).toEqual([501]);
    expect(finding?.rule).toBe("F1 (R0: a number above 10)");
    expect(events.filter((e) => e.type === "finding")).toHaveLength(1);
  });

  it("never reports a shrink that became valid: the predicate holds on the minimal probe", async () => {
    // The oracle fails on anything, so only the predicate stops shrinking below 11.
    const { opts } = options(syntheticFamily(), echoTarget(), thresholdOracle(-1));
    const result = await runFamily(opts);
    const numbers = JSON.parse(
      Buffer.from(result.findings[0]?.bytesB64 ?? "", "base64").toString("utf8"),
    ) as number[];
    expect(numbers).toEqual([11]);
  });

  it("reports a failure that does not reproduce as flaky (which still counts as a finding)", async () => {
    let failures = 0;
    const oracle: Oracle = {
      name: "once",
      rule: "F1",
      appliesTo: "all",
      judge: () => Promise.resolve(failures++ < 1 ? { kind: "fail", reason: "once" } : { kind: "pass" }),
    };
    const result = await runFamily(options(syntheticFamily(), echoTarget(), oracle).opts);
    expect(result.status).toEqual({ kind: "finding" });
    expect(result.findings[0]?.confirmation).toBe("flaky");
  });

  it("confirms on a fresh target when one is offered", async () => {
    const fresh: Array<Target & { fired: number }> = [];
    const { opts } = options(syntheticFamily(), echoTarget(), thresholdOracle(500), {
      freshTarget: () => {
        const target = echoTarget();
        fresh.push(target);
        return Promise.resolve(target);
      },
    });
    const result = await runFamily(opts);
    expect(result.findings[0]?.confirmation).toBe("confirmed");
    expect(fresh.length).toBeGreaterThanOrEqual(1);
    expect(fresh[0]?.fired).toBe(1);
  });

  it("completes its floor under a tiny budget: the budget only bounds runs beyond it", async () => {
    const slow = slowTarget(2);
    const { opts } = options(syntheticFamily({ minRuns: 60 }), slow, thresholdOracle(10_000), {
      runs: 400,
      floor: 60,
      budgetMs: 1,
    });
    const result = await runFamily(opts);
    expect(result.status).toEqual({ kind: "closed" });
    expect(result.runs).toBeGreaterThanOrEqual(60);
    expect(result.runs).toBeLessThan(400);
  });

  it("runs beyond the floor while the budget lasts", async () => {
    const { opts } = options(syntheticFamily({ minRuns: 60 }), echoTarget(), thresholdOracle(10_000), {
      runs: 400,
      floor: 60,
      budgetMs: 600_000,
    });
    const result = await runFamily(opts);
    expect(result.status).toEqual({ kind: "closed" });
    expect(result.runs).toBe(400);
  });

  it("is inconclusive, never closed, when the hard limit cuts its floor short, and names the flag", async () => {
    const { opts } = options(syntheticFamily({ minRuns: 10_000 }), slowTarget(5), thresholdOracle(10_000), {
      runs: 10_000,
      floor: 10_000,
      budgetMs: 1,
      hardLimitMs: 300,
    });
    const result = await runFamily(opts);
    expect(result.runs).toBeLessThan(10_000);
    expect(result.status).toEqual({
      kind: "inconclusive",
      why: `the hard limit of 300ms ended the run at ${result.runs} of at least 10000 runs: the machine was too slow to finish the floor; give it more time with --hard-limit`,
    });
  });

  it("confirms a hang with four times the probe timeout: one that hangs again is a finding", async () => {
    const timeouts: number[] = [];
    const hanging = echoTarget((bytes) => {
      const numbers = JSON.parse(Buffer.from(bytes).toString("utf8")) as number[];
      return numbers.some((n) => n > 500)
        ? { kind: "timed_out", elapsedMs: 1_000, channels: NO_CHANNELS }
        : { kind: "responded", elapsedMs: 0, headers: {}, body: bytes, channels: NO_CHANNELS };
    });
    const fire = hanging.fire.bind(hanging);
    hanging.fire = (op, bytes, timeoutMs) => {
      timeouts.push(timeoutMs);
      return fire(op, bytes, timeoutMs);
    };
    const result = await runFamily(options(syntheticFamily(), hanging, hangOracle).opts);
    expect(result.status).toEqual({ kind: "finding" });
    expect(result.findings[0]).toMatchObject({ oracle: "hang", confirmation: "confirmed" });
    expect(timeouts.at(-1)).toBe(4_000);
  });

  /** A target on which the first probe finds the machine busy; every later one is answered at once. */
  function busyOnce(timeouts: number[]): Target {
    const once = echoTarget((bytes, count) =>
      count === 1
        ? { kind: "timed_out", elapsedMs: 1_000, channels: NO_CHANNELS }
        : { kind: "responded", elapsedMs: 0, headers: {}, body: bytes, channels: NO_CHANNELS },
    );
    const fire = once.fire.bind(once);
    once.fire = (op, bytes, timeoutMs) => {
      timeouts.push(timeoutMs);
      return fire(op, bytes, timeoutMs);
    };
    return once;
  }

  it("judges a control's hang that answers when fired again with more time by that answer: the machine's, not a finding", async () => {
    const timeouts: number[] = [];
    const result = await runFamily(
      options(syntheticFamily({ role: "control" }), busyOnce(timeouts), hangOracle).opts,
    );
    expect(result.findings).toEqual([]);
    expect(result.status).toEqual({ kind: "closed" });
    // The probe that hung was fired again at once with four times the timeout, and counted once.
    expect(timeouts.slice(0, 3)).toEqual([1_000, 4_000, 1_000]);
    expect(result.runs).toBe(200);
  });

  it("never closes an attack family on a hang that answers when fired again (a gate that hangs on every other request would pass)", async () => {
    const timeouts: number[] = [];
    const result = await runFamily(options(syntheticFamily(), busyOnce(timeouts), hangOracle).opts);
    expect(result.status.kind).not.toBe("closed");
    // Not excused by an immediate second firing: it went to the confirmation.
    expect(timeouts[1]).not.toBe(4_000);
  });

  it("gives its finding the time from the start of the run to the failing probe", async () => {
    const { opts } = options(syntheticFamily(), echoTarget(), thresholdOracle(500));
    const before = Date.now();
    const result = await runFamily(opts);
    const foundAtMs = result.findings[0]?.foundAtMs;
    expect(foundAtMs).toBeGreaterThanOrEqual(0);
    expect(foundAtMs).toBeLessThanOrEqual(Date.now() - before);
  });

  it("is inconclusive when an oracle errs or throws, and does not shrink", async () => {
    const throwing: Oracle = {
      name: "broken",
      rule: "F2",
      appliesTo: "all",
      judge: () => Promise.reject(new Error("boom")),
    };
    const result = await runFamily(options(syntheticFamily(), echoTarget(), throwing).opts);
    expect(result.status.kind).toBe("inconclusive");
    expect(result.findings).toEqual([]);
  });

  it("is inconclusive when the harness fails to reach the target, with its detail cleared of canaries", async () => {
    const unreachable = echoTarget(() => ({ kind: "harness_error", detail: "connection refused" }));
    const { opts } = options(syntheticFamily(), unreachable, thresholdOracle(10_000));
    const result = await runFamily({ ...opts, fire: { ...opts.fire, canaries: [plantCanaryKey().d] } });
    expect(result.status).toEqual({ kind: "inconclusive", why: "harness error: connection refused" });
    expect(unreachable.fired).toBe(1);
  });

  it("never puts a thrown oracle's secret in the reason: the family is inconclusive", async () => {
    const secret = plantCanaryKey().d;
    const leaky: Oracle = {
      name: "leaky",
      rule: "F2",
      appliesTo: "all",
      judge: () => Promise.reject(new Error(`cannot parse ${secret}`)),
    };
    const { opts } = options(syntheticFamily(), echoTarget(), leaky);
    const result = await runFamily({ ...opts, fire: { ...opts.fire, canaries: [secret] } });
    expect(result.status).toEqual({
      kind: "inconclusive",
      why: "leaky: oracle leaky threw: withheld: it could not be cleared of canary material",
    });
    expect(result.findings).toEqual([]);
  });

  it("stops at an abort and says it was interrupted", async () => {
    const controller = new AbortController();
    const target = echoTarget((bytes, count) => {
      if (count === 20) controller.abort("SIGINT");
      return { kind: "responded", elapsedMs: 0, headers: {}, body: bytes, channels: NO_CHANNELS };
    });
    const result = await runFamily(
      options(syntheticFamily(), target, thresholdOracle(10_000), { signal: controller.signal }).opts,
    );
    expect(result.status).toEqual({ kind: "inconclusive", why: "interrupted" });
    expect(target.fired).toBe(20);
  });

  it("fires the same bytes for the same seed", async () => {
    const collect = async (): Promise<string[]> => {
      const seen: string[] = [];
      const target = echoTarget((bytes) => {
        seen.push(Buffer.from(bytes).toString("utf8"));
        return { kind: "responded", elapsedMs: 0, headers: {}, body: bytes, channels: NO_CHANNELS };
      });
      await runFamily(options(syntheticFamily(), target, thresholdOracle(10_000)).opts);
      return seen;
    };
    expect(await collect()).toEqual(await collect());
  });
});
