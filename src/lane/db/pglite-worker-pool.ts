import type { Worker } from "node:worker_threads";

/**
 * Worker threads whose PGlite was closed cleanly, kept for the next database to open (issue #17).
 * A snapshot rehearsal closes and reopens its clone around every copy, and a thread that starts
 * anew pays for itself (the thread, PGlite's modules imported again) before PostgreSQL even boots:
 * about a third of each reopen. A parked thread holds no database: it is parked only once its
 * PGlite answered `close` (so a data directory stays open in one instance only), never after a
 * timeout or an error (such a thread is terminated), and it is ended once idle for a while.
 */

/** Two: the lane's clone and one other database (a fuzzer's variant, a test's own) at once. */
const MAX_PARKED = 2;
/** A parked thread holds its memory (tens of MB) until it is taken or ends. */
const IDLE_MS = 5_000;

interface Parked {
  readonly worker: Worker;
  readonly timer: NodeJS.Timeout;
  readonly onExit: () => void;
}

const parked: Parked[] = [];

function unpark(entry: Parked): void {
  const index = parked.indexOf(entry);
  if (index >= 0) parked.splice(index, 1);
  clearTimeout(entry.timer);
  entry.worker.off("exit", entry.onExit);
  entry.worker.off("error", entry.onExit);
}

/**
 * Keeps a thread whose database is closed for the next open, or terminates it when enough are
 * kept. The caller has removed its own listeners: a parked thread answers nobody.
 */
export function parkWorker(worker: Worker): void {
  if (parked.length >= MAX_PARKED) {
    void worker.terminate();
    return;
  }
  const entry: Parked = {
    worker,
    timer: setTimeout(() => {
      unpark(entry);
      void worker.terminate();
    }, IDLE_MS).unref(),
    onExit: () => unpark(entry),
  };
  worker.on("exit", entry.onExit);
  worker.on("error", entry.onExit);
  // A parked thread never keeps the process alive.
  worker.unref();
  parked.push(entry);
}

/** A parked thread, taken out of the pool (the caller opens a database in it), or undefined. */
export function takeParkedWorker(): Worker | undefined {
  const entry = parked.pop();
  if (entry === undefined) return undefined;
  unpark(entry);
  entry.worker.ref();
  return entry.worker;
}

/** How many threads are parked (for tests). */
export function parkedWorkers(): number {
  return parked.length;
}
