/**
 * The in-process wrapper's own rules, on fake systems: answers, crashes and timeouts become
 * Outcomes; a timeout abandons the system and the next probe gets a fresh one; anything the
 * harness cannot do is a harness error, never an answer; one probe runs at a time.
 */
import { describe, expect, it } from "vitest";
import { NO_CHANNELS } from "../../../src/fuzz/targets/channels.js";
import { openInProcessTarget, type InProcessSystem } from "../../../src/fuzz/targets/in-process.js";
import { bodyText, kindOf, utf8 } from "./outcomes.js";

interface Fake {
  readonly opened: number;
  readonly closed: number;
  behaviour: "echo" | "throw" | "hang";
  channelsFail: boolean;
}

function fakeSystems(options: { stateful?: boolean; openFails?: () => boolean } = {}): {
  fake: Fake;
  open: () => Promise<InProcessSystem>;
} {
  const counts = { opened: 0, closed: 0 };
  const fake: Fake = {
    get opened() {
      return counts.opened;
    },
    get closed() {
      return counts.closed;
    },
    behaviour: "echo",
    channelsFail: false,
  };
  const open = (): Promise<InProcessSystem> => {
    if (options.openFails?.() === true) return Promise.reject(new Error("cannot open"));
    counts.opened += 1;
    const generation = counts.opened;
    let running = 0;
    const system: InProcessSystem = {
      async answer(operation, bytes) {
        running += 1;
        if (running > 1) throw new Error("two probes at once");
        try {
          if (fake.behaviour === "throw") throw new TypeError("boom");
          if (fake.behaviour === "hang") await new Promise(() => undefined);
          await new Promise((r) => setTimeout(r, 5));
          return utf8(`${operation}:${generation}:${Buffer.from(bytes).toString("utf8")}`);
        } finally {
          running -= 1;
        }
      },
      channels: () =>
        fake.channelsFail
          ? Promise.reject(new Error("no rows"))
          : Promise.resolve({ ...NO_CHANNELS, rows: ["row"] }),
      close: () => {
        counts.closed += 1;
        return Promise.resolve();
      },
    };
    return Promise.resolve(
      options.stateful === true
        ? {
            ...system,
            state: (operation) => Promise.resolve({ consumedNonces: operation === "decide" ? 1 : 2 }),
          }
        : system,
    );
  };
  return { fake, open };
}

describe("openInProcessTarget", () => {
  it("turns answers into responded outcomes with the system's side channels", async () => {
    const { open } = fakeSystems();
    const target = await openInProcessTarget({ name: "fake", operations: ["decide"], open });
    const outcome = await target.fire("decide", utf8("x"), 1_000);
    expect(bodyText(outcome)).toBe("decide:1:x");
    expect(kindOf(outcome, "responded")).toMatchObject({ headers: {}, channels: { rows: ["row"] } });
    expect(kindOf(outcome, "responded").status).toBeUndefined();
    await target.close();
  });

  it("records an exception as crashed, with a one-line detail, and keeps the system", async () => {
    const { fake, open } = fakeSystems();
    const target = await openInProcessTarget({ name: "fake", operations: ["decide"], open });
    fake.behaviour = "throw";
    expect(kindOf(await target.fire("decide", utf8("x"), 1_000), "crashed").detail).toBe("TypeError: boom");
    fake.behaviour = "echo";
    expect(bodyText(await target.fire("decide", utf8("y"), 1_000))).toBe("decide:1:y");
    await target.close();
  });

  it("times out a hung call, abandons that system and answers the next probe from a fresh one", async () => {
    const { fake, open } = fakeSystems();
    const target = await openInProcessTarget({ name: "fake", operations: ["decide"], open });
    fake.behaviour = "hang";
    const timedOut = kindOf(await target.fire("decide", utf8("x"), 50), "timed_out");
    expect(timedOut.elapsedMs).toBeGreaterThanOrEqual(45);
    expect(fake.closed).toBe(1);
    fake.behaviour = "echo";
    expect(bodyText(await target.fire("decide", utf8("y"), 1_000))).toBe("decide:2:y");
    // restart() after a timeout (what the engine does) opens exactly one more.
    await target.restart();
    expect(fake.opened).toBe(3);
    await target.close();
  });

  it("makes unreadable side channels a harness error, never an answer", async () => {
    const { fake, open } = fakeSystems();
    const target = await openInProcessTarget({ name: "fake", operations: ["decide"], open });
    fake.channelsFail = true;
    const outcome = await target.fire("decide", utf8("x"), 1_000);
    expect(outcome).toEqual({
      kind: "harness_error",
      detail: "fake: cannot read the side channels (Error: no rows)",
    });
    await target.close();
  });

  it("makes a failed reopen a harness error, and tries again on the next probe", async () => {
    let failing = false;
    const { fake, open } = fakeSystems({ openFails: () => failing });
    const target = await openInProcessTarget({ name: "fake", operations: ["decide"], open });
    fake.behaviour = "hang";
    kindOf(await target.fire("decide", utf8("x"), 20), "timed_out");
    failing = true;
    fake.behaviour = "echo";
    expect(kindOf(await target.fire("decide", utf8("y"), 1_000), "harness_error").detail).toContain(
      "cannot open",
    );
    failing = false;
    expect(bodyText(await target.fire("decide", utf8("z"), 1_000))).toBe("decide:2:z");
    await target.close();
  });

  it("reports state only for a system that has one, passing the operation on", async () => {
    const stateless = await openInProcessTarget({
      name: "a",
      operations: ["decide"],
      open: fakeSystems().open,
    });
    expect("state" in stateless).toBe(false);
    await stateless.close();
    const stateful = await openInProcessTarget({
      name: "b",
      operations: ["decide"],
      open: fakeSystems({ stateful: true }).open,
    });
    expect(await stateful.state?.("decide")).toEqual({ consumedNonces: 1, generation: 1 });
    expect(await stateful.state?.("rehearse")).toEqual({ consumedNonces: 2, generation: 1 });
    await stateful.close();
  });

  it("runs one probe at a time, and refuses probes after close", async () => {
    const { fake, open } = fakeSystems();
    const target = await openInProcessTarget({ name: "fake", operations: ["decide"], open });
    const outcomes = await Promise.all(["a", "b", "c"].map((b) => target.fire("decide", utf8(b), 1_000)));
    expect(outcomes.map(bodyText)).toEqual(["decide:1:a", "decide:1:b", "decide:1:c"]);
    await target.close();
    expect(fake.closed).toBe(1);
    expect(await target.fire("decide", utf8("x"), 1_000)).toEqual({
      kind: "harness_error",
      detail: "fake: the target is closed",
    });
  });

  it("answers a race's copies side by side, each with the side channels read after the last", async () => {
    // A system that answers only once every copy is in flight: copies fired one at a time hang.
    const copies = 8;
    let inFlight = 0;
    let release: () => void = () => undefined;
    const allIn = new Promise<void>((resolve) => (release = resolve));
    let channelReads = 0;
    const system: InProcessSystem = {
      async answer(_operation, bytes) {
        inFlight += 1;
        if (inFlight === copies) release();
        await allIn;
        return bytes;
      },
      channels: () => {
        channelReads += 1;
        return Promise.resolve({ ...NO_CHANNELS, rows: ["after all"] });
      },
      close: () => Promise.resolve(),
    };
    const target = await openInProcessTarget({
      name: "fake",
      operations: ["decide"],
      open: () => Promise.resolve(system),
    });
    const outcomes = (await target.fireCopies?.("decide", utf8("spend"), copies, 2_000)) ?? [];
    expect(outcomes.map(bodyText)).toEqual(Array.from({ length: copies }, () => "spend"));
    expect(outcomes.every((o) => kindOf(o, "responded").channels.rows[0] === "after all")).toBe(true);
    expect(channelReads).toBe(1);
    await target.close();
  });

  it("a race with one hung copy times that copy out, keeps the others' answers and abandons the system", async () => {
    const { fake, open } = fakeSystems();
    let calls = 0;
    const system = await open();
    const target = await openInProcessTarget({
      name: "fake",
      operations: ["decide"],
      open: () =>
        Promise.resolve({
          ...system,
          answer: async (_op: string, bytes: Uint8Array) => {
            calls += 1;
            if (calls === 2) await new Promise(() => undefined);
            return bytes;
          },
        }),
    });
    const outcomes = (await target.fireCopies?.("decide", utf8("x"), 3, 100)) ?? [];
    expect(outcomes.map((o) => o.kind)).toEqual(["responded", "timed_out", "responded"]);
    expect(fake.closed).toBe(1);
    await target.close();
  });
});
