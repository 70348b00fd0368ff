/**
 * A race's copies go through the target's own batch when it has one (in process: copies answered
 * side by side), and a batch that returns more or fewer outcomes than copies fired cannot be
 * judged: every copy is a harness error, never a pass.
 */
import { describe, expect, it } from "vitest";
import { fireScenario } from "../../../src/fuzz/engine/scenario.js";
import type { Oracle, Outcome, Probe, Target } from "../../../src/fuzz/types.js";

const NO_CHANNELS = { stdout: "", stderr: "", files: new Map<string, Uint8Array>(), rows: [] };
const ALLOW = Buffer.from('{"kind":"verdict","v":1,"verdict":"ALLOW","reasons":[],"request_id":"r"}');

const probe = {
  family: "P04",
  operation: "decide",
  role: "attack",
  bytes: new Uint8Array(),
  seed: 1,
  description: "race",
  rule: "G5",
} as unknown as Probe;

const passes: Oracle = {
  name: "passes",
  rule: "F1",
  appliesTo: "all",
  judge: () => Promise.resolve({ kind: "pass" }),
};

function target(batch: (copies: number) => Outcome[]): Target & { batches: number; singles: number } {
  const t = {
    name: "batching",
    operations: ["decide"] as const,
    batches: 0,
    singles: 0,
    fire: (): Promise<Outcome> => {
      t.singles += 1;
      return Promise.resolve({
        kind: "responded",
        elapsedMs: 0,
        headers: {},
        body: ALLOW,
        channels: NO_CHANNELS,
      });
    },
    fireCopies: (_op: string, _bytes: Uint8Array, copies: number) => {
      t.batches += 1;
      return Promise.resolve(batch(copies));
    },
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return t;
}

const ctx = (t: Target) => ({
  target: t,
  oracles: [passes],
  timeoutMs: 1_000,
  canaries: [],
  sealedBy: () => Promise.resolve(undefined),
});

describe("fireScenario: a race", () => {
  it("fires its copies through the target's batch, once", async () => {
    const t = target((copies) =>
      Array.from({ length: copies }, (): Outcome => ({
        kind: "responded",
        elapsedMs: 0,
        headers: {},
        body: ALLOW,
        channels: NO_CHANNELS,
      })),
    );
    const judgement = await fireScenario(probe, [{ kind: "race", bytes: ALLOW, copies: 6 }], ctx(t));
    expect(judgement.kind).toBe("pass");
    expect([t.batches, t.singles]).toEqual([1, 0]);
  });

  it("a batch that lost a copy is a harness error, not a pass", async () => {
    const t = target((copies) =>
      Array.from({ length: copies - 1 }, (): Outcome => ({
        kind: "responded",
        elapsedMs: 0,
        headers: {},
        body: ALLOW,
        channels: NO_CHANNELS,
      })),
    );
    const judgement = await fireScenario(probe, [{ kind: "race", bytes: ALLOW, copies: 4 }], ctx(t));
    expect(judgement.kind).toBe("error");
    expect(JSON.stringify(judgement)).toContain("harness error");
  });
});
