/**
 * F3's snapshots read once per change (snapshot-reuse.ts), on a fake target whose state is a
 * counter every fire may move: a change a probe makes is always read fresh after it (the state
 * oracle still fires), and only a snapshot nothing could have changed since is handed out again.
 */
import { describe, expect, it } from "vitest";
import { stateOracle } from "../../../src/fuzz/oracles/index.js";
import { NO_CHANNELS } from "../../../src/fuzz/targets/channels.js";
import { reuseSnapshots } from "../../../src/fuzz/targets/snapshot-reuse.js";
import type { Operation, Outcome, StateSnapshot, Target } from "../../../src/fuzz/types.js";
import { DENY_BODY, input, probe } from "../oracles/support.js";
import { utf8 } from "./outcomes.js";

interface Fake {
  readonly target: Target;
  /** State reads that reached the fake. */
  readonly reads: () => number;
  /** What the next fire adds to the counter. */
  spend: number;
  /** Holds every fire until released, to read state while one is in flight. */
  hold: Promise<void> | undefined;
}

function fakeTarget(options: { clones?: boolean } = {}): Fake {
  let consumed = 0;
  let reads = 0;
  const answer = async (): Promise<Outcome> => {
    await fake.hold;
    consumed += fake.spend;
    return { kind: "responded", elapsedMs: 1, headers: {}, body: utf8(DENY_BODY), channels: NO_CHANNELS };
  };
  const fake: Fake = {
    reads: () => reads,
    spend: 0,
    hold: undefined,
    target: {
      name: "fake",
      operations: ["decide", "rehearse"],
      fire: answer,
      ...(options.clones === true ? { fireOnClone: answer } : {}),
      state: (operation: Operation): Promise<StateSnapshot> => {
        reads += 1;
        return Promise.resolve(
          operation === "rehearse"
            ? { consumedNonces: consumed, cloneDigest: "0".repeat(64) }
            : { consumedNonces: consumed },
        );
      },
      restart: () => {
        consumed = 0;
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    },
  };
  return fake;
}

function stateOf(target: Target): NonNullable<Target["state"]> {
  if (target.state === undefined) throw new Error("the wrapped target reports its state");
  return target.state.bind(target);
}

/** A probe as fireAndJudge takes it: state before, fire, state after, judged by F3. */
async function probeThrough(target: Target) {
  const state = stateOf(target);
  const before = await state("decide");
  const outcome = await target.fire("decide", utf8("{}"), 1_000);
  const after = await state("decide");
  return stateOracle.judge(input(undefined, probe("attack"), outcome, { before, after }));
}

describe("reuseSnapshots", () => {
  it("fires F3 on every probe that changes the state, read fresh after each fire", async () => {
    const fake = fakeTarget();
    const target = reuseSnapshots(fake.target);
    expect(await probeThrough(target)).toEqual({ kind: "pass" });
    fake.spend = 2;
    expect(await probeThrough(target)).toEqual({
      kind: "fail",
      reason: "consumed nonces changed from 0 to 2",
    });
    expect(await probeThrough(target)).toEqual({
      kind: "fail",
      reason: "consumed nonces changed from 2 to 4",
    });
    fake.spend = 0;
    expect(await probeThrough(target)).toEqual({ kind: "pass" });
  });

  it("reads the state once per probe: the snapshot after one probe is the one before the next", async () => {
    const fake = fakeTarget();
    const target = reuseSnapshots(fake.target);
    for (let i = 0; i < 5; i++) await probeThrough(target);
    // The first probe's before, then one read after each fire.
    expect(fake.reads()).toBe(6);
    // Nothing fired since: asked again, nothing is read.
    await stateOf(target)("decide");
    expect(fake.reads()).toBe(6);
  });

  it("keeps one snapshot per operation", async () => {
    const fake = fakeTarget();
    const state = stateOf(reuseSnapshots(fake.target));
    const decide = await state("decide");
    const rehearse = await state("rehearse");
    expect(decide).toEqual({ consumedNonces: 0 });
    expect(rehearse).toEqual({ consumedNonces: 0, cloneDigest: "0".repeat(64) });
    expect(await state("decide")).toBe(decide);
    expect(await state("rehearse")).toBe(rehearse);
    expect(fake.reads()).toBe(2);
  });

  it("never keeps a snapshot read while a fire is in flight", async () => {
    const fake = fakeTarget();
    const target = reuseSnapshots(fake.target);
    const state = stateOf(target);
    let release!: () => void;
    fake.hold = new Promise((resolve) => (release = resolve));
    fake.spend = 1;
    const firing = target.fire("decide", utf8("{}"), 1_000);
    // Read beside the fire: its value may be from before or after it, so it is not kept.
    expect(await state("decide")).toEqual({ consumedNonces: 0 });
    release();
    await firing;
    expect(await state("decide")).toEqual({ consumedNonces: 1 });
    expect(fake.reads()).toBe(2);
  });

  it("reads again after a clone probe and after a restart", async () => {
    const fake = fakeTarget({ clones: true });
    const target = reuseSnapshots(fake.target);
    const state = stateOf(target);
    fake.spend = 3;
    await target.fire("decide", utf8("{}"), 1_000);
    expect(await state("decide")).toEqual({ consumedNonces: 3 });
    const setup = { marker: null, productionDatabases: [] };
    await target.fireOnClone?.(setup, utf8("{}"), 1_000);
    expect(await state("decide")).toEqual({ consumedNonces: 6 });
    await target.restart();
    expect(await state("decide")).toEqual({ consumedNonces: 0 });
    expect(fake.reads()).toBe(3);
  });

  it("with state by operation, a decision in flight leaves the rehearsal's kept snapshot in use", async () => {
    const fake = fakeTarget();
    const target = reuseSnapshots({ ...fake.target, stateByOperation: true });
    expect(target.stateByOperation).toBe(true);
    const state = stateOf(target);
    const rehearse = await state("rehearse");
    let release!: () => void;
    fake.hold = new Promise((resolve) => (release = resolve));
    const firing = target.fire("decide", utf8("{}"), 1_000);
    // The gate request cannot change what a rehearsal's snapshot reads: kept, no new read.
    expect(await state("rehearse")).toBe(rehearse);
    expect(fake.reads()).toBe(1);
    // Its own operation's snapshot is read fresh, and not kept while the fire is in flight.
    await state("decide");
    await state("decide");
    expect(fake.reads()).toBe(3);
    release();
    await firing;
    // A rehearsal drops the rehearsal's snapshot, and a restart every operation's.
    await target.fire("rehearse", utf8("{}"), 1_000);
    expect(await state("rehearse")).not.toBe(rehearse);
    expect(fake.reads()).toBe(4);
    const decide = await state("decide");
    await target.restart();
    expect(await state("decide")).not.toBe(decide);
  });

  it("without state by operation, a decision in flight keeps any snapshot from being reused", async () => {
    const fake = fakeTarget();
    const target = reuseSnapshots(fake.target);
    const state = stateOf(target);
    await state("rehearse");
    let release!: () => void;
    fake.hold = new Promise((resolve) => (release = resolve));
    const firing = target.fire("decide", utf8("{}"), 1_000);
    await state("rehearse");
    expect(fake.reads()).toBe(2);
    release();
    await firing;
  });

  it("leaves a target without state as it is", () => {
    const full = fakeTarget().target;
    const stateless: Target = {
      name: full.name,
      operations: full.operations,
      fire: (operation, bytes, timeoutMs) => full.fire(operation, bytes, timeoutMs),
      restart: () => full.restart(),
      close: () => full.close(),
    };
    expect(reuseSnapshots(stateless)).toBe(stateless);
  });
});
