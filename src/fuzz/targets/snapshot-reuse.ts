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

/** A part of the state: its changes so far, the calls that may be changing it, its kept snapshots. */
interface Part {
  epoch: number;
  inFlight: number;
  /** At most one snapshot per operation, dropped as soon as anything touching the part is fired. */
  readonly kept: Map<Operation, StateSnapshot>;
}

export function reuseSnapshots(target: Target): Target {
  const read = target.state?.bind(target);
  if (read === undefined) return target;
  /**
   * Per part of the state: one for the whole target, or one per operation when each operation
   * changes only what its own snapshot reads (Target.stateByOperation): a decision in flight then
   * does not keep a rehearsal's snapshot from being reused, nor the other way round.
   */
  const parts = new Map<Operation | "whole", Part>();
  const partOf = (operation: Operation): Part => {
    const key = target.stateByOperation === true ? operation : "whole";
    let part = parts.get(key);
    if (part === undefined) parts.set(key, (part = { epoch: 0, inFlight: 0, kept: new Map() }));
    return part;
  };
  const everyPart = (): Part[] => target.operations.map(partOf);

  /** Advances the parts a call could change when it starts and again when it ends. */
  async function changing<T>(touched: readonly Part[], work: () => Promise<T>): Promise<T> {
    const moved = [...new Set(touched)];
    for (const part of moved) {
      part.epoch++;
      part.inFlight++;
      part.kept.clear();
    }
    try {
      return await work();
    } finally {
      for (const part of moved) {
        part.inFlight--;
        part.epoch++;
        part.kept.clear();
      }
    }
  }

  const state = async (operation: Operation): Promise<StateSnapshot> => {
    const part = partOf(operation);
    const quiet = part.inFlight === 0;
    const reuse = quiet ? part.kept.get(operation) : undefined;
    if (reuse !== undefined) return reuse;
    const readAt = part.epoch;
    const snapshot = Object.freeze(await read(operation));
    // Kept only when no change started or ended while it was being read.
    if (quiet && readAt === part.epoch && part.inFlight === 0) part.kept.set(operation, snapshot);
    return snapshot;
  };

  const fireOnClone = target.fireOnClone?.bind(target);
  const fireCopies = target.fireCopies?.bind(target);
  return {
    name: target.name,
    operations: target.operations,
    ...(target.stateByOperation === undefined ? {} : { stateByOperation: target.stateByOperation }),
    fire: (operation, bytes, timeoutMs, request) =>
      changing([partOf(operation)], () => target.fire(operation, bytes, timeoutMs, request)),
    ...(fireCopies === undefined
      ? {}
      : {
          fireCopies: (operation, bytes, copies, timeoutMs) =>
            changing([partOf(operation)], () => fireCopies(operation, bytes, copies, timeoutMs)),
        }),
    ...(fireOnClone === undefined
      ? {}
      : {
          // A clone probe rehearses on a clone of its own, but is counted as a rehearsal.
          fireOnClone: (setup, bytes, timeoutMs) =>
            changing([partOf("rehearse")], () => fireOnClone(setup, bytes, timeoutMs)),
        }),
    state,
    restart: () => changing(everyPart(), () => target.restart()),
    close: () => changing(everyPart(), () => target.close()),
  };
}
