import type { Worker } from "node:worker_threads";

/**
 * Spare PGlite worker threads, started ahead of the next open (issue #17). A snapshot rehearsal
 * closes and reopens its clone around every copy, and a thread that starts when it is needed pays
 * for itself (the thread, PGlite's modules imported) before PostgreSQL even boots: about a third
 * of each reopen. When a database closes cleanly, its thread is ended as before (a thread holds
 * one PGlite in its life, and its memory goes back at once) and a spare is started in its place
 * while the caller copies directories; the next open takes the spare, already imported, and boots
 * PostgreSQL in it. A spare holds no database, keeps the process alive never, and ends when idle.
 *
 * Parking the closed thread itself was measured and dropped: a closed PGlite's WebAssembly memory
 * stays in its thread until that thread collects garbage, so a reused thread held two databases'
 * memory at once, and a P07+P08 run peaked at 1.05 GB instead of 0.77 GB.
 */

/** Two: the lane's clone and one other database (a fuzzer's variant, a test's own) at once. */
const MAX_SPARES = 2;
/** A spare holds a thread and PGlite's modules (tens of MB) until it is taken or ends. */
const IDLE_MS = 5_000;

interface Spare {
  readonly worker: Worker;
  readonly timer: NodeJS.Timeout;
  readonly onExit: () => void;
}

const spares: Spare[] = [];
let starting = 0;

function remove(entry: Spare): void {
  const index = spares.indexOf(entry);
  if (index >= 0) spares.splice(index, 1);
  clearTimeout(entry.timer);
  entry.worker.off("exit", entry.onExit);
  entry.worker.off("error", entry.onExit);
}

/**
 * Starts a spare thread with `start` unless enough are kept or starting; never throws (a spare
 * that cannot start only means the next open starts its own thread, as before).
 */
export function startSpare(start: () => Promise<Worker>): void {
  if (spares.length + starting >= MAX_SPARES) return;
  starting += 1;
  void start()
    .then((worker) => {
      const entry: Spare = {
        worker,
        timer: setTimeout(() => {
          remove(entry);
          void worker.terminate();
        }, IDLE_MS).unref(),
        onExit: () => remove(entry),
      };
      worker.on("exit", entry.onExit);
      worker.on("error", entry.onExit);
      worker.unref();
      spares.push(entry);
    })
    .catch(() => undefined)
    .finally(() => (starting -= 1));
}

/** A spare thread, taken out (the caller opens a database in it), or undefined. */
export function takeSpare(): Worker | undefined {
  const entry = spares.pop();
  if (entry === undefined) return undefined;
  remove(entry);
  entry.worker.ref();
  return entry.worker;
}

/** How many spares are ready (for tests). */
export function spareWorkers(): number {
  return spares.length;
}
