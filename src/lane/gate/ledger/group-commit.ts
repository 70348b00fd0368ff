import { FailclosedError } from "../../../kernel/errors.js";

/**
 * Group commit (issue #17): entries that arrive while a write is in flight queue up, and the next
 * write takes all of them at once (up to the limits), so a burst of refusals costs a few
 * transactions instead of one each. Nothing is delayed to wait for company: an entry arriving at
 * an idle writer is written at once, alone.
 *
 * The promise of an entry settles only after the write that holds it has returned, so a caller
 * that answers on "written" never answers for an entry the database has not committed; a failed
 * write fails every entry in it, and none of them is reported written.
 */

/** How an appended entry ended. */
export type AppendOutcome =
  /** Its write committed: the entry is durable. */
  | "written"
  /** Its write failed: nothing of that write was committed. */
  | "write_failed"
  /** The queue was full (the database is far behind): refused at once, never written. */
  | "queue_full";

export interface GroupCommitLimits {
  /** Entries in one write (rows of one INSERT). */
  readonly maxEntries: number;
  /** Sum of the entries' sizes in one write; an entry larger than this alone is written alone. */
  readonly maxBytes: number;
  /** Entries waiting for a write; beyond this an append is refused ("queue_full"). */
  readonly maxQueued: number;
}

export interface GroupCommit<E> {
  append(entry: E): Promise<AppendOutcome>;
}

interface Waiter<E> {
  readonly entry: E;
  readonly size: number;
  readonly settle: (outcome: AppendOutcome) => void;
}

function checkLimits(limits: GroupCommitLimits, maxEntriesCap: number): void {
  const whole = (n: number, min: number, max: number) => Number.isSafeInteger(n) && n >= min && n <= max;
  if (!whole(limits.maxEntries, 1, maxEntriesCap))
    throw new FailclosedError("CONFIG_INVALID", `a group commit holds 1 to ${maxEntriesCap} entries`);
  if (!whole(limits.maxBytes, 1, 64 * 1024 * 1024))
    throw new FailclosedError("CONFIG_INVALID", "a group commit's byte limit is 1 B to 64 MiB");
  if (!whole(limits.maxQueued, limits.maxEntries, 1_000_000))
    throw new FailclosedError("CONFIG_INVALID", "a group commit's queue holds at least one full write");
}

/**
 * A writer that batches. `write` gets one batch at a time, never two at once, in arrival order;
 * it resolves once the batch is committed and rejects if it is not. `maxEntriesCap` is the most
 * the writer's statement can take (PostgreSQL allows 65,535 parameters to one statement).
 */
export function groupCommit<E>(
  write: (batch: readonly E[]) => Promise<void>,
  sizeOf: (entry: E) => number,
  limits: GroupCommitLimits,
  maxEntriesCap: number,
): GroupCommit<E> {
  checkLimits(limits, maxEntriesCap);
  const queue: Array<Waiter<E>> = [];
  let writing = false;

  function takeBatch(): Array<Waiter<E>> {
    let bytes = 0;
    let count = 0;
    for (const waiter of queue) {
      if (count === limits.maxEntries) break;
      if (count > 0 && bytes + waiter.size > limits.maxBytes) break;
      bytes += waiter.size;
      count += 1;
    }
    return queue.splice(0, count);
  }

  async function writeBatch(batch: ReadonlyArray<Waiter<E>>): Promise<AppendOutcome> {
    try {
      await write(batch.map((waiter) => waiter.entry));
      return "written";
    } catch {
      return "write_failed";
    }
  }

  async function drain(): Promise<void> {
    // Appends made in the same turn as the first (a burst answered by one event) join its write.
    await Promise.resolve();
    try {
      while (queue.length > 0) {
        const batch = takeBatch();
        const outcome = await writeBatch(batch);
        for (const waiter of batch) waiter.settle(outcome);
      }
    } finally {
      writing = false;
    }
  }

  return {
    append(entry: E): Promise<AppendOutcome> {
      if (queue.length >= limits.maxQueued) return Promise.resolve("queue_full");
      return new Promise((settle) => {
        queue.push({ entry, size: sizeOf(entry), settle });
        if (writing) return;
        writing = true;
        void drain();
      });
    },
  };
}
