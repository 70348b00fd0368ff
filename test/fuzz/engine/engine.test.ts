import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runFuzz } from "../../../src/fuzz/engine/engine.js";
import type { Oracle, Outcome, ProbeFamily, Target } from "../../../src/fuzz/types.js";

const NO_CHANNELS = { stdout: "", stderr: "", files: new Map<string, Uint8Array>(), rows: [] };

function family(id: string): ProbeFamily<number> {
  return {
    id,
    name: `synthetic ${id}`,
    operation: "decide",
    role: "attack",
    rules: ["R0"],
    minRuns: 20,
    arbitrary: () => fc.integer({ min: 11, max: 1_000 }),
    render: (n) => Promise.resolve(Buffer.from(String(n))),
    breaks: () => "R0: synthetic",
    describe: (n) => `n=${n}`,
  };
}

const echo: Target = {
  name: "echo",
  operations: ["decide"],
  fire: (_op, bytes): Promise<Outcome> =>
    Promise.resolve({ kind: "responded", elapsedMs: 0, headers: {}, body: bytes, channels: NO_CHANNELS }),
  restart: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

const passes: Oracle = {
  name: "passes",
  rule: "F1",
  appliesTo: "all",
  judge: () => Promise.resolve({ kind: "pass" }),
};

describe("runFuzz", () => {
  it("a family whose saved failures cannot be replayed is inconclusive; the others run and the report is whole", async () => {
    const report = await runFuzz({
      families: [family("T01"), family("T02")],
      openTarget: () => Promise.resolve(echo),
      oracles: [passes],
      canariesOf: () => [],
      seed: 1,
      budgetMs: 30_000,
      concurrency: 1,
      familyConcurrency: 1,
      timeoutMs: 1_000,
      signal: new AbortController().signal,
      reporters: [],
      replay: (f) =>
        f.id === "T01"
          ? Promise.reject(new Error("corpora/T01/failures/x.json: not a valid saved finding"))
          : Promise.resolve([]),
    });
    expect(report.families.map((f) => [f.family, f.status])).toEqual([
      [
        "T01",
        {
          kind: "inconclusive",
          why: "saved failures could not be replayed: corpora/T01/failures/x.json: not a valid saved finding",
        },
      ],
      ["T02", { kind: "closed" }],
    ]);
    expect(report.families[0]?.probes).toBe(0);
  });

  it("records when each family fired its first probe, counted from the run's start (none for a family that fired nothing)", async () => {
    // A slow target: three families sharing one slot, so the later ones' first probes come later.
    const slow: Target = {
      ...echo,
      fire: async (_op, bytes): Promise<Outcome> => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { kind: "responded", elapsedMs: 20, headers: {}, body: bytes, channels: NO_CHANNELS };
      },
    };
    const started = Date.now();
    const report = await runFuzz({
      families: [family("T01"), family("T02"), family("T03")],
      openTarget: () => Promise.resolve(slow),
      oracles: [passes],
      canariesOf: () => [],
      seed: 2,
      budgetMs: 30_000,
      concurrency: 1,
      familyConcurrency: 1,
      timeoutMs: 1_000,
      signal: new AbortController().signal,
      reporters: [],
      replay: (f) => (f.id === "T03" ? Promise.reject(new Error("unreadable")) : Promise.resolve([])),
    });
    const wall = Date.now() - started;
    const [t1, t2, t3] = report.families;
    expect(t3?.firstProbeMs).toBeUndefined();
    for (const f of [t1, t2]) {
      expect(f?.firstProbeMs).toBeGreaterThanOrEqual(0);
      expect(f?.firstProbeMs).toBeLessThanOrEqual(wall);
    }
    // The smoke round: the second family fires before the first has finished its floor.
    expect(t2?.firstProbeMs ?? Infinity).toBeLessThan((t1?.firstProbeMs ?? 0) + (t1?.elapsedMs ?? 0));
    expect(t2?.firstProbeMs ?? 0).toBeGreaterThanOrEqual(t1?.firstProbeMs ?? 0);
  });

  it("an interruption is reported to the reporters before the run ends, and a reporter that throws there fails the run", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const run = runFuzz({
      families: [family("T01")],
      openTarget: () =>
        Promise.resolve({
          ...echo,
          fire: (op, bytes, timeout) => {
            controller.abort("SIGINT");
            return echo.fire(op, bytes, timeout);
          },
        }),
      oracles: [passes],
      canariesOf: () => [],
      seed: 1,
      budgetMs: 30_000,
      concurrency: 1,
      familyConcurrency: 1,
      timeoutMs: 1_000,
      signal: controller.signal,
      reporters: [
        {
          onInterrupted: (e) => {
            seen.push(`interrupted ${e.signal}`);
            throw new Error("reporter failed");
          },
          onRunEnd: () => void seen.push("run-end"),
        },
      ],
    });
    await expect(run).rejects.toThrow("reporter failed");
    expect(seen).toEqual(["interrupted SIGINT"]);
  });
});
