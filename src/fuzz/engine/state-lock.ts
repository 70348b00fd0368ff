/**
 * F3 compares the target's state before and after an attack, so nothing that changes the state by
 * design (a control's spend, a scenario's setups, a restart that forgets the ledger) may fall
 * between an attack's two snapshots. Attacks hold this lock shared, from the snapshot before to
 * the snapshot after; state-changing work holds it alone, in arrival order (a fair readers-writer
 * lock).
 *
 * A target whose operations change disjoint state and read disjoint snapshots (Target
 * .stateByOperation: the reference lane, whose gate never touches the clone and whose lane never
 * touches the ledger) gets one lock per operation: a gate control then waits only for the gate
 * attacks in flight, never for a rehearsal that takes a hundred times longer. Work that names no
 * operation (a restart, a recheck of unknown scope) holds every operation's lock, taken in one
 * fixed order so that two such holders cannot deadlock.
 */
import { ReadWriteLock } from "../../kernel/read-write-lock.js";
import type { Operation } from "../types.js";

const ORDER: readonly Operation[] = ["decide", "rehearse"];

export class StateLock {
  readonly #whole = new ReadWriteLock();
  readonly #perOperation: ReadonlyMap<Operation, ReadWriteLock> | undefined;

  constructor(options: { readonly perOperation?: boolean } = {}) {
    this.#perOperation =
      options.perOperation === true ? new Map(ORDER.map((op) => [op, new ReadWriteLock()])) : undefined;
  }

  /** Runs fn while no exclusive holder of the same state runs (attacks: many at once). */
  shared<T>(fn: () => Promise<T>, operation?: Operation): Promise<T> {
    return this.#hold(false, fn, operation);
  }

  /** Runs fn alone on the state `operation` reads (what changes it by design). */
  exclusive<T>(fn: () => Promise<T>, operation?: Operation): Promise<T> {
    return this.#hold(true, fn, operation);
  }

  #hold<T>(exclusive: boolean, fn: () => Promise<T>, operation: Operation | undefined): Promise<T> {
    const locks = this.#locksFor(operation);
    const run = (index: number): Promise<T> => {
      const lock = locks[index];
      if (lock === undefined) return fn();
      const inner = (): Promise<T> => run(index + 1);
      return exclusive ? lock.exclusive(inner) : lock.shared(inner);
    };
    return run(0);
  }

  #locksFor(operation: Operation | undefined): readonly ReadWriteLock[] {
    const perOperation = this.#perOperation;
    if (perOperation === undefined) return [this.#whole];
    const one = operation === undefined ? undefined : perOperation.get(operation);
    return one === undefined ? ORDER.map((op) => perOperation.get(op) as ReadWriteLock) : [one];
  }
}
