/**
 * F3 compares two state snapshots of one system. When the in-process target replaces its system
 * between them (a sibling probe hung), the probe is fired again rather than judged on snapshots
 * that cannot be compared, or left to turn the family inconclusive.
 */
import { describe, expect, it } from "vitest";
import { fireOnce, type FireContext } from "../../../src/fuzz/engine/fire.js";
import { stateOracle, verdictOracle } from "../../../src/fuzz/oracles/index.js";
import { openInProcessTarget, type InProcessSystem } from "../../../src/fuzz/targets/in-process.js";
import type { Outcome, StateSnapshot, Target } from "../../../src/fuzz/types.js";
import { channels, DENY_BODY, probe, utf8 } from "../oracles/support.js";

const ALLOW_BODY = '{"kind":"verdict","v":1,"verdict":"ALLOW","reasons":[]}';

/** A target whose state reads come from a script of generations; every answer is `body`. */
function scriptedTarget(generations: number[], body: string): Target & { fired: number } {
  let reads = 0;
  const target = {
    name: "scripted",
    operations: ["decide"] as const,
    fired: 0,
    fire(): Promise<Outcome> {
      target.fired += 1;
      return Promise.resolve({
        kind: "responded",
        elapsedMs: 1,
        headers: {},
        body: utf8(body),
        channels: channels(),
      });
    },
    state(): Promise<StateSnapshot> {
      const generation = generations[Math.min(reads, generations.length - 1)];
      reads += 1;
      return Promise.resolve({ consumedNonces: 0, ...(generation === undefined ? {} : { generation }) });
    },
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return target;
}

function context(target: Target): FireContext {
  return {
    target,
    oracles: [verdictOracle, stateOracle],
    timeoutMs: 1_000,
    canaries: [],
    sealedBy: () => Promise.resolve(undefined),
  };
}

describe("a probe whose system was replaced between its snapshots", () => {
  it("is fired again and judged on one generation", async () => {
    const target = scriptedTarget([1, 2, 2, 2], DENY_BODY);
    expect(await fireOnce(probe("attack"), "attack", context(target))).toEqual({ kind: "pass" });
    expect(target.fired).toBe(2);
  });

  it("is an error, never a pass, when every attempt meets a new generation", async () => {
    const target = scriptedTarget([1, 2, 3, 4, 5, 6, 7, 8], DENY_BODY);
    const judged = await fireOnce(probe("attack"), "attack", context(target));
    expect(judged.kind).toBe("error");
    expect(judged.kind === "error" ? judged.detail : "").toMatch(/replaced while the probe ran, 3 times/);
    expect(target.fired).toBe(3);
  });

  it("still fails on what the answer shows (an ALLOW), without firing again", async () => {
    const target = scriptedTarget([1, 2], ALLOW_BODY);
    expect(await fireOnce(probe("attack"), "attack", context(target))).toMatchObject({ kind: "fail" });
    expect(target.fired).toBe(1);
  });

  it("is judged at once when both snapshots carry no generation (targets that never replace)", async () => {
    const target = scriptedTarget([], DENY_BODY);
    expect(await fireOnce(probe("attack"), "attack", context(target))).toEqual({ kind: "pass" });
    expect(target.fired).toBe(1);
  });
});

describe("the in-process target's generations", () => {
  it("reopens after a timeout for a state read and names the new generation", async () => {
    let opened = 0;
    const open = (): Promise<InProcessSystem> => {
      opened += 1;
      return Promise.resolve({
        answer: (_op, bytes) =>
          Buffer.from(bytes).toString() === "hang"
            ? new Promise<Uint8Array>(() => undefined)
            : Promise.resolve(utf8(DENY_BODY)),
        channels: () => Promise.resolve(channels()),
        state: () => Promise.resolve({ consumedNonces: 0 }),
        close: () => Promise.resolve(),
      });
    };
    const target = await openInProcessTarget({ name: "t", operations: ["decide"], open });
    const first = await target.state?.("decide");
    expect((await target.fire("decide", utf8("hang"), 20)).kind).toBe("timed_out");
    // Another probe's hang abandoned the system: the read opens a fresh one, as another generation.
    const second = await target.state?.("decide");
    expect(opened).toBe(2);
    expect(second?.generation).not.toBe(first?.generation);
    expect((await target.fire("decide", utf8("{}"), 1_000)).kind).toBe("responded");
    expect((await target.state?.("decide"))?.generation).toBe(second?.generation);
    await target.close();
  });
});
