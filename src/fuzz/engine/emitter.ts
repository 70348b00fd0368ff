import type { EngineEvent, Reporter } from "../events.js";
import { assertNever } from "../../kernel/result.js";

/**
 * Delivers each event to every reporter's matching hook, in order. A reporter that throws stops
 * the run: a writer that found a canary in what it was about to write must not be ignored.
 */
export function emitterFor(reporters: readonly Reporter[]): (event: EngineEvent) => Promise<void> {
  return async (event) => {
    for (const reporter of reporters) {
      switch (event.type) {
        case "run-start":
          await reporter.onRunStart?.(event);
          break;
        case "family-start":
          await reporter.onFamilyStart?.(event);
          break;
        case "probe":
          await reporter.onProbe?.(event);
          break;
        case "finding":
          await reporter.onFinding?.(event);
          break;
        case "family-end":
          await reporter.onFamilyEnd?.(event);
          break;
        case "interrupted":
          await reporter.onInterrupted?.(event);
          break;
        case "run-end":
          await reporter.onRunEnd?.(event);
          break;
        default:
          assertNever(event, "event");
      }
    }
  };
}
