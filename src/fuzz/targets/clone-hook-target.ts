/**
 * An external target whose lane's clones are provisioned by the user's clone hook: P07's probes
 * become prepare, rehearse, restore. The lane has one clone, so every rehearsal waits its turn:
 * no other family's rehearsal (a control that must PASS) ever runs on a clone a P07 probe bent.
 * A hook that fails makes the probe a harness error (inconclusive, never closed, never a
 * finding); a failed restore leaves the clone suspect, so every later rehearsal first retries it
 * and is a harness error until it succeeds.
 */
import pLimit from "p-limit";
import type { CloneSetup, Outcome, Target } from "../types.js";
import type { CloneHook, HookResult } from "./clone-hook.js";
import type { CloneDescription } from "./clone-hook-protocol.js";

function harnessError(detail: string): Outcome {
  return { kind: "harness_error", detail };
}

export function withCloneHook(
  target: Target,
  hook: CloneHook,
  described: HookResult<CloneDescription>,
): Target {
  const oneAtATime = pLimit(1);
  let suspect: string | undefined;

  /** Puts the clean clone back; remembers a failure so that no later rehearsal trusts the clone. */
  async function restore(): Promise<string | undefined> {
    const restored = await hook.restore();
    suspect = restored.ok ? undefined : restored.detail;
    return suspect;
  }

  async function cleanFirst(): Promise<string | undefined> {
    return suspect === undefined ? undefined : restore();
  }

  const fire: Target["fire"] = (operation, bytes, timeoutMs, request) => {
    if (operation !== "rehearse") return target.fire(operation, bytes, timeoutMs, request);
    return oneAtATime(async () => {
      const dirty = await cleanFirst();
      return dirty === undefined ? target.fire(operation, bytes, timeoutMs, request) : harnessError(dirty);
    });
  };
  const fireCopies = target.fireCopies?.bind(target);
  return {
    name: target.name,
    operations: target.operations,
    fire,
    ...(fireCopies === undefined
      ? {}
      : {
          // Races are decisions (P04), which never touch the clone; a rehearsal waits its turn.
          fireCopies: (operation, bytes, copies, timeoutMs) =>
            operation === "rehearse"
              ? Promise.all(Array.from({ length: copies }, () => fire(operation, bytes, timeoutMs)))
              : fireCopies(operation, bytes, copies, timeoutMs),
        }),
    fireOnClone(setup: CloneSetup, bytes, timeoutMs) {
      return oneAtATime(async () => {
        if (!described.ok) return harnessError(described.detail);
        const dirty = await cleanFirst();
        if (dirty !== undefined) return harnessError(dirty);
        const prepared = await hook.prepare(setup);
        if (!prepared.ok) {
          // A prepare that failed half-way may have changed the clone all the same.
          await restore();
          return harnessError(prepared.detail);
        }
        let outcome: Outcome;
        try {
          outcome = await target.fire("rehearse", bytes, timeoutMs);
        } finally {
          await restore();
        }
        // The answer stands only if the clean clone is back: a probe whose clean-up failed says so.
        return suspect === undefined ? outcome : harnessError(suspect);
      });
    },
    restart: () => target.restart(),
    close: () => target.close(),
    ...(target.state === undefined ? {} : { state: target.state.bind(target) }),
  };
}
