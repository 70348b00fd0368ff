/**
 * Text from outside the oracles' own vocabulary (an exception's message, a harness error from the
 * target's side) may end up in a report: it is kept only when the canary scanner clears it.
 */
import { scannerFor } from "./scanner-cache.js";

const MAX_CHARS = 300;
const WITHHELD = "withheld: it could not be cleared of canary material";

export function redacted(text: string, canaries: readonly string[]): string {
  try {
    if (canaries.length > 0 && scannerFor(canaries)(text) === undefined) return text.slice(0, MAX_CHARS);
  } catch {
    // A scanner that cannot be built cannot clear the text either.
  }
  return WITHHELD;
}

/** An exception as text, redacted: its name and message, never its stack. */
export function redactedError(error: unknown, canaries: readonly string[]): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redacted(message, canaries);
}
