/**
 * The group-commit writer behind the refusals' audit entries (issue #17), with a write the test
 * controls: entries that arrive during a write share the next one, within its limits; an entry
 * is answered only after the write holding it has returned, and "written" only when it committed.
 */
import { setImmediate as tick } from "node:timers/promises";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  groupCommit,
  type AppendOutcome,
  type GroupCommitLimits,
} from "../../../src/lane/gate/ledger/group-commit.js";
import { isFailclosedError } from "../../../src/kernel/errors.js";

interface Entry {
  readonly id: number;
  readonly size: number;
}

/** A write that waits until the test lets it end, then commits or fails as told. */
class ControlledWrite {
  readonly batches: Entry[][] = [];
  readonly committed = new Set<number>();
  inFlight = 0;
  maxInFlight = 0;
  #pending: Array<(commit: boolean) => void> = [];

  readonly write = (batch: readonly Entry[]): Promise<void> => {
    this.batches.push([...batch]);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.#pending.push((commit) => {
        this.inFlight -= 1;
        if (!commit) {
          reject(new Error("the database refused the batch"));
          return;
        }
        for (const entry of batch) this.committed.add(entry.id);
        resolve();
      });
    });
  };

  get waiting(): number {
    return this.#pending.length;
  }

  /** Ends the oldest write in flight. */
  finish(commit: boolean): void {
    const next = this.#pending.shift();
    if (next === undefined) throw new Error("no write in flight");
    next(commit);
  }
}

const LIMITS: GroupCommitLimits = { maxEntries: 8, maxBytes: 100, maxQueued: 64 };

function writerWith(control: ControlledWrite, limits: GroupCommitLimits = LIMITS) {
  return groupCommit<Entry>(control.write, (e) => e.size, limits, 1000);
}

/** Appends and keeps, per entry, its outcome and whether its write had committed it by then. */
function appendTracked(
  writer: ReturnType<typeof writerWith>,
  control: ControlledWrite,
  entry: Entry,
  answers: Map<number, { outcome: AppendOutcome; committedWhenAnswered: boolean }>,
): Promise<void> {
  return writer.append(entry).then((outcome) => {
    if (answers.has(entry.id)) throw new Error(`entry ${entry.id} answered twice`);
    answers.set(entry.id, { outcome, committedWhenAnswered: control.committed.has(entry.id) });
  });
}

describe("group commit", () => {
  it("writes an entry that arrives at an idle writer at once, alone", async () => {
    const control = new ControlledWrite();
    const writer = writerWith(control);
    const answer = writer.append({ id: 1, size: 10 });
    await tick();
    expect(control.batches).toStrictEqual([[{ id: 1, size: 10 }]]);
    control.finish(true);
    await expect(answer).resolves.toBe("written");
  });

  it("must fire: entries arriving during a write share the next one, answered only after it commits", async () => {
    const control = new ControlledWrite();
    const writer = writerWith(control);
    const answers = new Map<number, { outcome: AppendOutcome; committedWhenAnswered: boolean }>();
    const first = appendTracked(writer, control, { id: 0, size: 1 }, answers);
    await tick();
    const rest = [1, 2, 3, 4, 5].map((id) => appendTracked(writer, control, { id, size: 1 }, answers));
    await tick();
    // Still one write in flight; nobody answered before it ends.
    expect(control.batches).toHaveLength(1);
    expect(answers.size).toBe(0);
    control.finish(true);
    await first;
    await tick();
    expect(control.batches.map((b) => b.map((e) => e.id))).toStrictEqual([[0], [1, 2, 3, 4, 5]]);
    expect(answers.size).toBe(1);
    control.finish(true);
    await Promise.all(rest);
    for (const id of [0, 1, 2, 3, 4, 5])
      expect(answers.get(id)).toStrictEqual({ outcome: "written", committedWhenAnswered: true });
  });

  it("must fire: a failed write fails every entry in it, and only those", async () => {
    const control = new ControlledWrite();
    const writer = writerWith(control);
    const answers = new Map<number, { outcome: AppendOutcome; committedWhenAnswered: boolean }>();
    const all = [appendTracked(writer, control, { id: 0, size: 1 }, answers)];
    await tick();
    for (const id of [1, 2, 3]) all.push(appendTracked(writer, control, { id, size: 1 }, answers));
    control.finish(true);
    await tick();
    all.push(appendTracked(writer, control, { id: 4, size: 1 }, answers));
    control.finish(false);
    await tick();
    control.finish(true);
    await Promise.all(all);
    expect(control.batches.map((b) => b.map((e) => e.id))).toStrictEqual([[0], [1, 2, 3], [4]]);
    expect(answers.get(0)?.outcome).toBe("written");
    for (const id of [1, 2, 3]) expect(answers.get(id)?.outcome).toBe("write_failed");
    expect(answers.get(4)?.outcome).toBe("written");
  });

  it("bounds a write by entries and by bytes; an entry over the byte limit goes alone", async () => {
    const control = new ControlledWrite();
    const writer = writerWith(control, { maxEntries: 3, maxBytes: 100, maxQueued: 64 });
    const all = [writer.append({ id: 0, size: 1 })];
    await tick();
    const sizes = [1, 1, 1, 1, 60, 50, 500, 10];
    sizes.forEach((size, i) => all.push(writer.append({ id: i + 1, size })));
    while (all.length > control.batches.flat().length || control.waiting > 0) {
      await tick();
      if (control.waiting > 0) control.finish(true);
    }
    await Promise.all(all);
    expect(control.batches.map((b) => b.map((e) => e.id))).toStrictEqual([
      [0],
      [1, 2, 3],
      [4, 5],
      [6],
      [7],
      [8],
    ]);
  });

  it("must fire: beyond maxQueued an append is refused at once and never written", async () => {
    const control = new ControlledWrite();
    const writer = writerWith(control, { maxEntries: 2, maxBytes: 100, maxQueued: 3 });
    const first = writer.append({ id: 0, size: 1 });
    await tick();
    const queued = [1, 2, 3].map((id) => writer.append({ id, size: 1 }));
    await expect(writer.append({ id: 4, size: 1 })).resolves.toBe("queue_full");
    control.finish(true);
    await tick();
    control.finish(true);
    await tick();
    control.finish(true);
    await expect(Promise.all([first, ...queued])).resolves.toStrictEqual([
      "written",
      "written",
      "written",
      "written",
    ]);
    expect(control.batches.flat().map((e) => e.id)).toStrictEqual([0, 1, 2, 3]);
  });

  it("refuses limits it cannot keep", () => {
    const bad: GroupCommitLimits[] = [
      { maxEntries: 0, maxBytes: 100, maxQueued: 10 },
      { maxEntries: 1001, maxBytes: 100, maxQueued: 2000 },
      { maxEntries: 1.5, maxBytes: 100, maxQueued: 10 },
      { maxEntries: 4, maxBytes: 0, maxQueued: 10 },
      { maxEntries: 4, maxBytes: 100, maxQueued: 3 },
    ];
    for (const limits of bad) {
      let thrown: unknown;
      try {
        groupCommit<Entry>(
          () => Promise.resolve(),
          (e) => e.size,
          limits,
          1000,
        );
      } catch (error) {
        thrown = error;
      }
      expect(isFailclosedError(thrown) && thrown.code === "CONFIG_INVALID").toBe(true);
    }
  });

  it("for any arrivals and write outcomes: one write at a time, in order, within limits, every entry answered once and truthfully", async () => {
    // A schedule: each step appends some entries, then lets the oldest write end (or not).
    const step = fc.record({
      sizes: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 12 }),
      end: fc.constantFrom("commit", "fail", "wait"),
    });
    const limits = fc.record({
      maxEntries: fc.integer({ min: 1, max: 6 }),
      maxBytes: fc.integer({ min: 1, max: 120 }),
      maxQueued: fc.integer({ min: 6, max: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 15 }), limits, async (steps, lim) => {
        const control = new ControlledWrite();
        const writer = writerWith(control, lim);
        const answers = new Map<number, { outcome: AppendOutcome; committedWhenAnswered: boolean }>();
        const appended: Entry[] = [];
        const all: Array<Promise<void>> = [];
        for (const { sizes, end } of steps) {
          for (const size of sizes) {
            const entry = { id: appended.length, size };
            appended.push(entry);
            all.push(appendTracked(writer, control, entry, answers));
          }
          await tick();
          if (end !== "wait" && control.waiting > 0) control.finish(end === "commit");
          await tick();
        }
        // Drain: commit whatever is left.
        while (answers.size < appended.length) {
          if (control.waiting > 0) control.finish(true);
          await tick();
        }
        await Promise.all(all);

        const written = control.batches.flat();
        expect(control.maxInFlight).toBe(written.length === 0 ? 0 : 1);
        const refused = appended.filter((e) => answers.get(e.id)?.outcome === "queue_full");
        // Every entry not refused at the door is in exactly one write, in arrival order.
        expect(written.map((e) => e.id)).toStrictEqual(
          appended.filter((e) => !refused.includes(e)).map((e) => e.id),
        );
        for (const batch of control.batches) {
          expect(batch.length).toBeGreaterThanOrEqual(1);
          expect(batch.length).toBeLessThanOrEqual(lim.maxEntries);
          if (batch.length > 1)
            expect(batch.reduce((sum, e) => sum + e.size, 0)).toBeLessThanOrEqual(lim.maxBytes);
        }
        for (const entry of appended) {
          const answer = answers.get(entry.id);
          expect(answer).toBeDefined();
          // "written" exactly when its write had committed it before the answer came.
          expect(answer?.outcome === "written").toBe(answer?.committedWhenAnswered);
          if (answer?.outcome !== "queue_full") {
            expect(answer?.outcome === "written").toBe(control.committed.has(entry.id));
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
