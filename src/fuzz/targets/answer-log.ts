import { createHash } from "node:crypto";
import type { Outcome, Target } from "../types.js";

/**
 * The last answer each recently fired body got, so a finding can record what the target said to
 * its bytes (its confirmation is the last firing). Bounded: only the newest entries are kept,
 * which is all a finding needs, since it is recorded right after its confirmation.
 */
export class AnswerLog {
  readonly #answers = new Map<string, Outcome>();
  constructor(private readonly limit = 64) {}

  static key(bytes: Uint8Array): string {
    return createHash("sha256").update(bytes).digest("hex");
  }

  record(bytes: Uint8Array, outcome: Outcome): void {
    const key = AnswerLog.key(bytes);
    this.#answers.delete(key);
    this.#answers.set(key, outcome);
    if (this.#answers.size > this.limit) {
      const oldest = this.#answers.keys().next().value;
      if (oldest !== undefined) this.#answers.delete(oldest);
    }
  }

  answerTo(bytes: Uint8Array): Outcome | undefined {
    return this.#answers.get(AnswerLog.key(bytes));
  }
}

/** The target, with every outcome it gives recorded in the log. */
export function withAnswerLog(target: Target, log: AnswerLog): Target {
  const fireOnClone = target.fireOnClone?.bind(target);
  const fireCopies = target.fireCopies?.bind(target);
  const fireUnderFault = target.fireUnderFault?.bind(target);
  const state = target.state?.bind(target);
  return {
    name: target.name,
    operations: target.operations,
    fire: async (operation, bytes, timeoutMs, request) => {
      const outcome = await target.fire(operation, bytes, timeoutMs, request);
      log.record(bytes, outcome);
      return outcome;
    },
    ...(fireCopies === undefined
      ? {}
      : {
          fireCopies: async (operation, bytes, copies, timeoutMs) => {
            const outcomes = await fireCopies(operation, bytes, copies, timeoutMs);
            for (const outcome of outcomes) log.record(bytes, outcome);
            return outcomes;
          },
        }),
    ...(fireOnClone === undefined
      ? {}
      : {
          fireOnClone: async (setup, bytes, timeoutMs) => {
            const outcome = await fireOnClone(setup, bytes, timeoutMs);
            log.record(bytes, outcome);
            return outcome;
          },
        }),
    ...(fireUnderFault === undefined
      ? {}
      : {
          fireUnderFault: async (fault, operation, bytes, timeoutMs) => {
            const outcome = await fireUnderFault(fault, operation, bytes, timeoutMs);
            log.record(bytes, outcome);
            return outcome;
          },
        }),
    ...(state === undefined ? {} : { state }),
    restart: () => target.restart(),
    close: () => target.close(),
  };
}
