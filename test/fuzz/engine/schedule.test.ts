/**
 * How a run schedules its families (issues #12, #15): a smoke round in which every family fires
 * its first probe before any fires its second, controls alongside, and nobody waits on a shrink; a slow family never starves a fast one; the budget
 * starts with the first probe and only bounds runs beyond the floor; controls that change state
 * never fall inside an attack's F3 snapshots; findings carry their time since the run started.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runFuzz, type RunConfig } from "../../../src/fuzz/engine/engine.js";
import { interleaveControls } from "../../../src/fuzz/engine/schedule.js";
import type { EngineEvent } from "../../../src/fuzz/events.js";
import { stateOracle } from "../../../src/fuzz/oracles/index.js";
import type { Oracle, Outcome, ProbeFamily, ProbeRole, Target } from "../../../src/fuzz/types.js";

const NO_CHANNELS = { stdout: "", stderr: "", files: new Map<string, Uint8Array>(), rows: [] };

function family(id: string, options: { role?: ProbeRole; minRuns?: number } = {}): ProbeFamily<number> {
  return {
    id,
    name: `synthetic ${id}`,
    operation: "decide",
    role: options.role ?? "attack",
    rules: ["R0"],
    minRuns: options.minRuns ?? 20,
    arbitrary: () => fc.integer({ min: 11, max: 1_000_000 }),
    render: (n) => Promise.resolve(Buffer.from(`${id}:${n}`)),
    breaks: () => "R0: synthetic",
    describe: (n) => `n=${n}`,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Answers with the bytes it was sent; logs the family of every probe; `delay` per family id.
 * `serial`: one probe at a time, in arrival order, as the in-process and child targets are.
 */
function loggingTarget(
  delay: Readonly<Record<string, number>> = {},
  serial = false,
): Target & { log: string[] } {
  const log: string[] = [];
  let tail: Promise<unknown> = Promise.resolve();
  const answer = async (bytes: Uint8Array): Promise<Outcome> => {
    const id = Buffer.from(bytes).toString("utf8").split(":")[0] ?? "";
    log.push(id);
    await sleep(delay[id] ?? 0);
    return { kind: "responded", elapsedMs: 0, headers: {}, body: bytes, channels: NO_CHANNELS };
  };
  return {
    name: "logging",
    operations: ["decide"],
    log,
    fire(_op, bytes): Promise<Outcome> {
      if (!serial) return answer(bytes);
      const next = tail.then(() => answer(bytes));
      tail = next.catch(() => undefined);
      return next;
    },
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

const passes: Oracle = {
  name: "passes",
  rule: "F1",
  appliesTo: "all",
  judge: () => Promise.resolve({ kind: "pass" }),
};

function config(families: readonly ProbeFamily[], target: Target, extra: Partial<RunConfig> = {}): RunConfig {
  return {
    families,
    openTarget: () => Promise.resolve(target),
    oracles: [passes],
    canariesOf: () => [],
    seed: 1,
    budgetMs: 30_000,
    concurrency: 1,
    familyConcurrency: 1,
    timeoutMs: 5_000,
    signal: new AbortController().signal,
    reporters: [],
    ...extra,
  };
}

describe("the smoke round", () => {
  it("spreads the controls among the attacks", () => {
    const ids = [
      ...["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10"].map((id) => family(id)),
      family("C01", { role: "control" }),
      family("C02", { role: "control" }),
    ];
    expect(interleaveControls(ids).map((f) => f.id)).toEqual([
      "C01",
      "P01",
      "P02",
      "P03",
      "P04",
      "P05",
      "C02",
      "P06",
      "P07",
      "P08",
      "P09",
      "P10",
    ]);
    expect(interleaveControls([family("P01")]).map((f) => f.id)).toEqual(["P01"]);
    expect(interleaveControls([family("C01", { role: "control" })]).map((f) => f.id)).toEqual(["C01"]);
  });

  it("fires every family's first probe before any family's second, controls among them", async () => {
    const families = [
      family("A1"),
      family("A2"),
      family("A3"),
      family("A4"),
      family("C1", { role: "control" }),
      family("C2", { role: "control" }),
    ];
    const ids = families.map((f) => f.id).sort();
    // One probe at a time, in arrival order, as the in-process and child targets serve them.
    const target = loggingTarget({ A1: 20, A2: 2, A3: 2, A4: 2, C1: 2, C2: 2 }, true);
    const report = await runFuzz(config(families, target, { concurrency: 2, familyConcurrency: 2 }));
    expect(report.families.every((f) => f.status.kind === "closed")).toBe(true);
    expect(target.log.slice(0, 6).sort()).toEqual(ids);
    expect(target.log).toHaveLength(6 * 20);
  });

  it("does not hold the other families back while one shrinks a failure", async () => {
    // Five numbers, each shrunk towards 0 one step at a time: about a hundred slow shrink steps.
    const failing: ProbeFamily<number[]> = {
      ...(family("A1") as unknown as ProbeFamily<number[]>),
      arbitrary: () => fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 5, maxLength: 5 }),
      render: (numbers) => Promise.resolve(Buffer.from(`A1:${numbers.join(",")}`)),
      describe: (numbers) => numbers.join(","),
    };
    const shrinking: Oracle = {
      name: "shrinks",
      rule: "F1",
      appliesTo: "all",
      // Fails on A1 only, slowly, so that shrinking takes a while.
      judge: async ({ probe }) => {
        if (probe.family !== "A1") return { kind: "pass" };
        await sleep(5);
        return { kind: "fail", reason: "A1" };
      },
    };
    const target = loggingTarget({}, true);
    const report = await runFuzz(
      config([failing, family("A2")], target, {
        oracles: [shrinking],
        concurrency: 2,
        familyConcurrency: 2,
      }),
    );
    expect(report.families.map((f) => [f.family, f.status.kind])).toEqual([
      ["A1", "finding"],
      ["A2", "closed"],
    ]);
    // A2's floor ran while A1 was shrinking: its last probe came before A1's.
    expect(target.log.lastIndexOf("A2")).toBeLessThan(target.log.lastIndexOf("A1"));
  });
});

describe("the long tail", () => {
  it("does not let a slow family starve a fast one: the fast one finishes its floor in its share", async () => {
    const target = loggingTarget({ SLOW: 100 });
    const events: EngineEvent[] = [];
    const report = await runFuzz(
      config([family("SLOW", { minRuns: 30 }), family("FAST", { minRuns: 30 })], target, {
        reporters: [{ onFamilyEnd: (e) => void events.push(e) }],
      }),
    );
    expect(report.families.map((f) => [f.family, f.status.kind])).toEqual([
      ["SLOW", "closed"],
      ["FAST", "closed"],
    ]);
    const fastDone = target.log.lastIndexOf("FAST");
    const slowBefore = target.log.slice(0, fastDone).filter((id) => id === "SLOW").length;
    // Three smoke probes and about one chunk (3 runs); a round-robin would have let through 27.
    expect(slowBefore).toBeLessThanOrEqual(12);
    expect(events.map((e) => e.type === "family-end" && e.result.family)).toEqual(["FAST", "SLOW"]);
  });

  it("gives gate and lane families slots of their own on a target whose operations share nothing", async () => {
    // REH's tail probes and the decide families' tail probes overlap only when each operation has
    // its own workers; with one shared slot (width 1) two tail chunks never run at once.
    const tailOverlaps = async (stateByOperation: boolean): Promise<number> => {
      const spans: Array<{ id: string; index: number; start: number; end: number }> = [];
      const seen = new Map<string, number>();
      const answer = async (bytes: Uint8Array): Promise<Outcome> => {
        const id = Buffer.from(bytes).toString("utf8").split(":")[0] ?? "";
        const index = seen.get(id) ?? 0;
        seen.set(id, index + 1);
        const start = performance.now();
        await sleep(id === "REH" ? 30 : 5);
        spans.push({ id, index, start, end: performance.now() });
        return { kind: "responded", elapsedMs: 0, headers: {}, body: bytes, channels: NO_CHANNELS };
      };
      const target: Target = {
        name: "two operations",
        operations: ["decide", "rehearse"],
        ...(stateByOperation ? { stateByOperation: true } : {}),
        fire: (_op, bytes) => answer(bytes),
        restart: () => Promise.resolve(),
        close: () => Promise.resolve(),
      };
      const reh = { ...family("REH", { minRuns: 15 }), operation: "rehearse" as const };
      await runFuzz(config([reh, family("D1", { minRuns: 60 }), family("D2", { minRuns: 60 })], target));
      // Past the smoke round (three single probes a family): the long tail only.
      const tail = spans.filter((span) => span.index >= 3);
      const rehearsals = tail.filter((span) => span.id === "REH");
      const decisions = tail.filter((span) => span.id !== "REH");
      return rehearsals.filter((r) => decisions.some((d) => d.start < r.end && r.start < d.end)).length;
    };
    expect(await tailOverlaps(true)).toBeGreaterThan(0);
    expect(await tailOverlaps(false)).toBe(0);
  });

  it("completes every floor whatever the budget, and runs beyond it only within the budget", async () => {
    const report = await runFuzz(
      config([family("A1", { minRuns: 40 }), family("A2", { minRuns: 40 })], loggingTarget({ A1: 2 }), {
        runs: 5_000,
        budgetMs: 1,
      }),
    );
    for (const result of report.families) {
      expect(result.status).toEqual({ kind: "closed" });
      expect(result.runs).toBeGreaterThanOrEqual(40);
      expect(result.runs).toBeLessThan(5_000);
    }
  });

  it("does not count start-up against the budget", async () => {
    const target = loggingTarget();
    const report = await runFuzz(
      config([family("A1", { minRuns: 10 })], target, {
        openTarget: async () => {
          await sleep(1_500);
          return target;
        },
        runs: 50,
        budgetMs: 1_000,
      }),
    );
    expect(report.families[0]?.runs).toBe(50);
  });

  it("ends inconclusive at the hard limit, saying which flag gives it more time", async () => {
    const events: EngineEvent[] = [];
    const report = await runFuzz(
      config([family("A1", { minRuns: 5_000 })], loggingTarget({ A1: 5 }), {
        hardLimitMs: 400,
        reporters: [{ onRunStart: (e) => void events.push(e) }],
      }),
    );
    const status = report.families[0]?.status;
    expect(status?.kind).toBe("inconclusive");
    expect(status?.kind === "inconclusive" && status.why).toMatch(
      /^the hard limit of 400ms ended the run at \d+ of at least 5000 runs: .*--hard-limit$/,
    );
    expect(events[0]?.type === "run-start" && events[0].hardLimitMs).toBe(400);
  });

  it("has a generous default hard limit: 30 minutes, or twice a longer budget", async () => {
    const seen: number[] = [];
    for (const budgetMs of [100_000, 3_600_000]) {
      await runFuzz(
        config([family("A1", { minRuns: 1 })], loggingTarget(), {
          budgetMs,
          reporters: [{ onRunStart: (e) => void seen.push(e.hardLimitMs ?? -1) }],
        }),
      );
    }
    expect(seen).toEqual([1_800_000, 7_200_000]);
  });
});

/** A target whose consumed count a control raises; `spendingAttack` makes attacks raise it too. */
function ledgerTarget(spendingAttack: boolean): Target {
  let consumed = 0;
  return {
    name: "ledger",
    operations: ["decide"],
    async fire(_op, bytes): Promise<Outcome> {
      const control = Buffer.from(bytes).toString("utf8").startsWith("C");
      await sleep(1);
      if (control || spendingAttack) consumed++;
      await sleep(1);
      return { kind: "responded", elapsedMs: 0, headers: {}, body: bytes, channels: NO_CHANNELS };
    },
    state: () => Promise.resolve({ consumedNonces: consumed }),
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe("controls alongside attacks", () => {
  const families = [family("A1", { minRuns: 40 }), family("C1", { role: "control", minRuns: 40 })];
  const oracles = [passes, stateOracle];

  it("never fall inside an attack's state snapshots: F3 stays quiet while controls spend", async () => {
    const report = await runFuzz(
      config(families, ledgerTarget(false), { oracles, concurrency: 2, familyConcurrency: 2 }),
    );
    expect(report.families.map((f) => [f.family, f.status])).toEqual([
      ["A1", { kind: "closed" }],
      ["C1", { kind: "closed" }],
    ]);
  });

  it("still let F3 catch an attack that spends, with its time since the start of the run", async () => {
    const report = await runFuzz(
      config(families, ledgerTarget(true), { oracles, concurrency: 2, familyConcurrency: 2 }),
    );
    const attack = report.families.find((f) => f.family === "A1");
    expect(attack?.status).toEqual({ kind: "finding" });
    const finding = attack?.findings[0];
    expect(finding?.oracle).toBe("state");
    expect(finding?.foundAtMs).toBeGreaterThanOrEqual(0);
    expect(finding?.foundAtMs).toBeLessThanOrEqual(report.totals.elapsedMs);
  });
});
