/**
 * The in-process target with `inFlight` (the reference lane's shape): requests of one operation
 * answered several at once, operations side by side, each request handed its own operation's
 * side channels looked at while it was in flight (never missing its own), and a hang abandoning
 * the system only once the requests beside it have ended. ChannelLog, which makes the windows, is
 * checked on its own too.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChannelLog } from "../../../src/fuzz/targets/channel-log.js";
import { NO_CHANNELS } from "../../../src/fuzz/targets/channels.js";
import { openInProcessTarget, type InProcessSystem } from "../../../src/fuzz/targets/in-process.js";
import type { Operation, Outcome, SideChannels } from "../../../src/fuzz/types.js";
import { bodyText, kindOf, utf8 } from "./outcomes.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Seen {
  /** The most requests of each operation answered at once. */
  readonly peak: Record<Operation, number>;
  /** The most requests answered at once, whatever their operation. */
  peakAll: number;
  opened: number;
  closed: number;
  /** Requests that were answered after their system was closed (a sibling's hang abandoned it). */
  answeredClosed: number;
}

/**
 * A system that writes one row (decide) or one file (rehearse) per request, named after the
 * request's bytes, before it answers, and reports each operation's channels separately.
 */
function fakeSystems(options: { hangOn?: string; delayMs?: (bytes: string) => number } = {}) {
  const seen: Seen = {
    peak: { decide: 0, rehearse: 0 },
    peakAll: 0,
    opened: 0,
    closed: 0,
    answeredClosed: 0,
  };
  const open = (): Promise<InProcessSystem> => {
    seen.opened += 1;
    let closed = false;
    const running: Record<Operation, number> = { decide: 0, rehearse: 0 };
    const rows: string[] = [];
    const files = new Map<string, Uint8Array>();
    return Promise.resolve({
      async answer(operation, bytes) {
        const text = Buffer.from(bytes).toString("utf8");
        running[operation] += 1;
        seen.peak[operation] = Math.max(seen.peak[operation], running[operation]);
        seen.peakAll = Math.max(seen.peakAll, running.decide + running.rehearse);
        try {
          if (text === options.hangOn) await new Promise(() => undefined);
          await sleep(options.delayMs?.(text) ?? 10);
          if (operation === "decide") rows.push(`row of ${text}`);
          else files.set(`/evidence/${text}`, utf8(text));
          if (closed) seen.answeredClosed += 1;
          return utf8(`${operation}:${text}`);
        } finally {
          running[operation] -= 1;
        }
      },
      channels(operation) {
        if (operation === "decide") return Promise.resolve({ ...NO_CHANNELS, rows: rows.splice(0) });
        const written = new Map(files);
        files.clear();
        return Promise.resolve({ ...NO_CHANNELS, files: written });
      },
      close() {
        closed = true;
        seen.closed += 1;
        return Promise.resolve();
      },
    });
  };
  return { seen, open };
}

function channelsOf(outcome: Outcome): SideChannels {
  if (outcome.kind === "harness_error") throw new Error(outcome.detail);
  return outcome.channels;
}

describe("openInProcessTarget with inFlight", () => {
  it("answers several decisions at once, a rehearsal beside them, each with its own channels", async () => {
    const { seen, open } = fakeSystems();
    const target = await openInProcessTarget({
      name: "fake",
      operations: ["decide", "rehearse"],
      open,
      inFlight: { decide: 3, rehearse: 1 },
    });
    expect(target.stateByOperation).toBe(true);
    const decisions = Array.from({ length: 9 }, (_, i) => `d${i}`);
    const rehearsals = ["r0", "r1", "r2"];
    const outcomes = await Promise.all([
      ...decisions.map((d) => target.fire("decide", utf8(d), 5_000)),
      ...rehearsals.map((r) => target.fire("rehearse", utf8(r), 5_000)),
    ]);
    expect(seen.peak).toEqual({ decide: 3, rehearse: 1 });
    expect(seen.peakAll).toBe(4);
    for (const [index, d] of decisions.entries()) {
      const outcome = outcomes[index] as Outcome;
      expect(bodyText(outcome)).toBe(`decide:${d}`);
      // Its own row is always there; a decision never sees a rehearsal's files.
      expect(channelsOf(outcome).rows).toContain(`row of ${d}`);
      expect(channelsOf(outcome).files.size).toBe(0);
    }
    for (const [index, r] of rehearsals.entries()) {
      const outcome = outcomes[decisions.length + index] as Outcome;
      // One rehearsal at a time: its window holds exactly its own file, and no audit row.
      expect([...channelsOf(outcome).files.keys()]).toEqual([`/evidence/${r}`]);
      expect(channelsOf(outcome).rows).toEqual([]);
    }
    await target.close();
  });

  it("without inFlight answers one request at a time, whatever the operation", async () => {
    const { seen, open } = fakeSystems();
    const target = await openInProcessTarget({ name: "fake", operations: ["decide", "rehearse"], open });
    expect(target.stateByOperation).toBeUndefined();
    await Promise.all([
      ...["a", "b", "c"].map((d) => target.fire("decide", utf8(d), 5_000)),
      target.fire("rehearse", utf8("r"), 5_000),
    ]);
    expect(seen.peakAll).toBe(1);
    await target.close();
  });

  it("abandons a system a request hung on only after the requests beside it were answered", async () => {
    const { seen, open } = fakeSystems({ hangOn: "hang", delayMs: (text) => (text === "slow" ? 150 : 10) });
    const target = await openInProcessTarget({
      name: "fake",
      operations: ["decide", "rehearse"],
      open,
      inFlight: { decide: 4, rehearse: 1 },
    });
    const [hung, slow, beside] = await Promise.all([
      target.fire("decide", utf8("hang"), 60),
      target.fire("decide", utf8("slow"), 5_000),
      target.fire("rehearse", utf8("beside"), 5_000),
    ]);
    expect(hung?.kind).toBe("timed_out");
    // The siblings were answered by the system they started on, before it was closed.
    expect(bodyText(slow)).toBe("decide:slow");
    expect(bodyText(beside)).toBe("rehearse:beside");
    expect(seen.answeredClosed).toBe(0);
    expect([seen.opened, seen.closed]).toEqual([1, 1]);
    // The next request meets a fresh system, opened once.
    const after = await Promise.all([
      target.fire("decide", utf8("next1"), 5_000),
      target.fire("decide", utf8("next2"), 5_000),
    ]);
    expect(after.map((o) => kindOf(o, "responded").kind)).toEqual(["responded", "responded"]);
    expect(seen.opened).toBe(2);
    await target.close();
  });
});

describe("ChannelLog", () => {
  const look = (rows: string[]) => () =>
    Promise.resolve({ kind: "done" as const, value: { ...NO_CHANNELS, rows } });

  it("hands a request alone exactly its own look", async () => {
    const log = new ChannelLog();
    const token = log.begin();
    expect(await log.end(token, look(["mine"]))).toEqual({
      kind: "done",
      value: { ...NO_CHANNELS, rows: ["mine"] },
    });
  });

  it("hands overlapping requests every look taken between their start and their end", async () => {
    const log = new ChannelLog();
    const a = log.begin();
    const b = log.begin();
    const windowB = await log.end(b, look(["b"]));
    const c = log.begin();
    const windowA = await log.end(a, look(["a"]));
    const windowC = await log.end(c, look(["c"]));
    const rows = (raced: Awaited<ReturnType<ChannelLog["end"]>>): readonly string[] =>
      raced.kind === "done" ? raced.value.rows : [];
    expect(rows(windowB)).toEqual(["b"]);
    expect(rows(windowA)).toEqual(["b", "a"]);
    expect(rows(windowC)).toEqual(["a", "c"]);
  });

  it("says how a look failed, and the next request still sees what it wrote", async () => {
    const log = new ChannelLog();
    const failed = log.begin();
    expect(await log.end(failed, () => Promise.resolve({ kind: "timed_out" as const }))).toEqual({
      kind: "timed_out",
    });
    const next = log.begin();
    const raced = await log.end(next, look(["next"]));
    expect(raced.kind === "done" ? raced.value.rows : []).toEqual(["next"]);
  });

  it("never loses a request's own rows, whatever the interleaving (property)", async () => {
    // Each request writes its row before its look; the looks read whatever was written since the
    // last: every request must find its own row in its window.
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(20), { minLength: 1, maxLength: 12 }), async (delays) => {
        const log = new ChannelLog();
        const written: string[] = [];
        const windows = await Promise.all(
          delays.map(async (delay, index) => {
            const token = log.begin();
            await sleep(delay);
            written.push(`row ${index}`);
            const raced = await log.end(token, () =>
              Promise.resolve({ kind: "done" as const, value: { ...NO_CHANNELS, rows: written.splice(0) } }),
            );
            return raced.kind === "done" ? raced.value.rows : [];
          }),
        );
        for (const [index, rows] of windows.entries()) expect(rows).toContain(`row ${index}`);
      }),
      { numRuns: 40 },
    );
  });

  it("requests ending while a look is in flight share the one queued behind it, never one begun", async () => {
    const log = new ChannelLog();
    const written: string[] = [];
    let looks = 0;
    const slowLook = () => async () => {
      looks += 1;
      const rows = written.splice(0);
      await sleep(20);
      return { kind: "done" as const, value: { ...NO_CHANNELS, rows } };
    };
    const request = async (name: string, key: unknown, after = 0) => {
      const token = log.begin();
      await sleep(after);
      written.push(name);
      const raced = await log.end(token, slowLook(), key);
      return raced.kind === "done" ? raced.value.rows : [];
    };
    const system = {};
    // a's look begins at once; b, c and d end during it: one look more serves all three.
    const [a, b, c, d] = await Promise.all([
      request("a", system),
      request("b", system, 5),
      request("c", system, 8),
      request("d", system, 10),
    ]);
    expect(looks).toBe(2);
    expect(a).toEqual(["a"]);
    for (const [name, rows] of [
      ["b", b],
      ["c", c],
      ["d", d],
    ] as const)
      expect(rows).toContain(name);
    // Another key (another system, or a hung request's short deadline) never shares (must fire).
    looks = 0;
    await Promise.all([request("e", system), request("f", {}, 5), request("g", undefined, 8)]);
    expect(looks).toBe(3);
  });

  it("shared looks still never lose a request's row, nor read one twice (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(20), fc.nat(6), fc.boolean()), { minLength: 1, maxLength: 12 }),
        async (plan) => {
          const log = new ChannelLog();
          const written: string[] = [];
          const read: string[] = [];
          const key = {};
          const windows = await Promise.all(
            plan.map(async ([delay, lookMs, keyed], index) => {
              const token = log.begin();
              await sleep(delay);
              written.push(`row ${index}`);
              const raced = await log.end(
                token,
                async () => {
                  const rows = written.splice(0);
                  read.push(...rows);
                  await sleep(lookMs);
                  return { kind: "done" as const, value: { ...NO_CHANNELS, rows } };
                },
                keyed ? key : undefined,
              );
              return raced.kind === "done" ? raced.value.rows : [];
            }),
          );
          for (const [index, rows] of windows.entries()) expect(rows).toContain(`row ${index}`);
          expect(read.sort()).toEqual(plan.map((_, index) => `row ${index}`).sort());
        },
      ),
      { numRuns: 40 },
    );
  });
});
