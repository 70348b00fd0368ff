/**
 * F3 compares the target's state before and after an attack, so nothing that changes the state by
 * design (a control's spend, a scenario's setups, a restart that forgets the ledger) may fall
 * between an attack's two snapshots. Attacks hold this lock shared, from the snapshot before to
 * the snapshot after; state-changing work holds it alone. Waiters are served in arrival order, so
 * a waiting control is not starved by a stream of attacks, nor attacks by controls.
 *
 * Written here rather than taken from a package: a fair readers-writer lock over promises is about
 * forty lines, and none of the project's dependencies offers one.
 */
interface Waiter {
  readonly exclusive: boolean;
  readonly grant: () => void;
}

export class StateLock {
  #readers = 0;
  #writer = false;
  readonly #queue: Waiter[] = [];

  /** Runs fn while no exclusive holder runs (attacks: many at once). */
  shared<T>(fn: () => Promise<T>): Promise<T> {
    return this.#hold(false, fn);
  }

  /** Runs fn alone (what changes the state by design). */
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
