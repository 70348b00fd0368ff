/**
 * A fair readers-writer lock over promises: shared holders run together, an exclusive holder runs
 * alone, and waiters are served in arrival order, so a waiting writer is not starved by a stream of
 * readers, nor readers by writers.
 *
 * Written here rather than taken from a package: it is about forty lines, and none of the
 * project's dependencies offers one.
 */
interface Waiter {
  readonly exclusive: boolean;
  readonly grant: () => void;
}

export class ReadWriteLock {
  #readers = 0;
  #writer = false;
  readonly #queue: Waiter[] = [];

  /** Runs fn while no exclusive holder runs (many at once). */
  shared<T>(fn: () => Promise<T>): Promise<T> {
    return this.#hold(false, fn);
  }

  /** Runs fn alone. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#hold(true, fn);
  }

  async #hold<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((grant) => {
      this.#queue.push({ exclusive, grant });
      this.#pump();
    });
    try {
      return await fn();
    } finally {
      if (exclusive) this.#writer = false;
      else this.#readers--;
      this.#pump();
    }
  }

  #pump(): void {
    for (let next = this.#queue[0]; next !== undefined && !this.#writer; next = this.#queue[0]) {
      if (next.exclusive && this.#readers > 0) return;
      this.#queue.shift();
      if (next.exclusive) this.#writer = true;
      else this.#readers++;
      next.grant();
    }
  }
}
