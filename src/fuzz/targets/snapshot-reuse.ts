/**
 * F3 snapshots read once per change, for a target whose state nothing but its own calls can change
 * (the reference lane in process: it alone holds its databases). Each attack reads the state before
 * and after it fires, so on a quiet target the snapshot after one probe is read again, unchanged, as
 * the snapshot before the next: that second read (a ledger query) is skipped.
 *
 * A kept snapshot is only handed out while nothing that could change the state (a fire, a clone
 * probe, a restart) has started since it was read, and only if none was in flight while it was
 * read. Whatever the probe did is therefore always seen by a fresh read after it. At most one
 * snapshot per operation is kept, and it is dropped as soon as anything is fired.
 */
import type { Operation, StateSnapshot, Target } from "../types.js";

export function reuseSnapshots(target: Target): Target {
  const read = target.state?.bind(target);
  if (read === undefined) return target;
  /** Advanced when a call that could change the state starts and again when it ends. */
  let epoch = 0;
  /** Such calls still in flight: a snapshot read beside one may be half before, half after it. */
  let inFlight = 0;
  const kept = new Map<Operation, StateSnapshot>();

  async function changing<T>(work: () => Promise<T>): Promise<T> {
    epoch++;
    inFlight++;
    kept.clear();
    try {
      return await work();
    } finally {
      inFlight--;
      epoch++;
      kept.clear();
    }
  }

  const state = async (operation: Operation): Promise<StateSnapshot> => {
    const quiet = inFlight === 0;
    const reuse = quiet ? kept.get(operation) : undefined;
    if (reuse !== undefined) return reuse;
    const readAt = epoch;
    const snapshot = Object.freeze(await read(operation));
    // Kept only when no change started or ended while it was being read.
    if (quiet && readAt === epoch && inFlight === 0) kept.set(operation, snapshot);
    return snapshot;
  };

  const fireOnClone = target.fireOnClone?.bind(target);
  const fireCopies = target.fireCopies?.bind(target);
  return {
    name: target.name,
    operations: target.operations,
    fire: (operation, bytes, timeoutMs) => changing(() => target.fire(operation, bytes, timeoutMs)),
    ...(fireCopies === undefined
      ? {}
      : {
          fireCopies: (operation, bytes, copies, timeoutMs) =>
            changing(() => fireCopies(operation, bytes, copies, timeoutMs)),
        }),
    ...(fireOnClone === undefined
      ? {}
      : {
          fireOnClone: (setup, bytes, timeoutMs) => changing(() => fireOnClone(setup, bytes, timeoutMs)),
        }),
    state,
    restart: () => changing(() => target.restart()),
    close: () => changing(() => target.close()),
  };
}
