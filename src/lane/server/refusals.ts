import type { RehearsalResult, VerdictDocument } from "../codec/documents.js";
import { encodeDocument } from "../codec/encode.js";

/**
 * The fixed answers a transport gives without asking the gate or the lane: input it cannot hand
 * over (not JSON lines, a line over the limit, a body of another media type), and an exception
 * inside the service. They echo nothing of the input (G7).
 */
const MALFORMED_VERDICT: VerdictDocument = {
  kind: "verdict",
  v: 1,
  verdict: "DENY",
  reasons: ["malformed_input"],
};
const MALFORMED_RESULT: RehearsalResult = {
  kind: "rehearsal-result",
  v: 1,
  verdict: "REFUSED",
  reasons: ["malformed_input"],
};
const INTERNAL_VERDICT: VerdictDocument = {
  kind: "verdict",
  v: 1,
  verdict: "DENY",
  reasons: ["internal_error"],
};
const INTERNAL_RESULT: RehearsalResult = {
  kind: "rehearsal-result",
  v: 1,
  verdict: "FAIL",
  reasons: ["internal_error"],
};

export type Operation = "decide" | "rehearse";

export function malformedAnswer(op: Operation): Uint8Array {
  return op === "rehearse"
    ? encodeDocument("rehearsal-result", MALFORMED_RESULT)
    : encodeDocument("verdict", MALFORMED_VERDICT);
}

export function internalErrorAnswer(op: Operation): Uint8Array {
  return op === "rehearse"
    ? encodeDocument("rehearsal-result", INTERNAL_RESULT)
    : encodeDocument("verdict", INTERNAL_VERDICT);
}

/** HTTP 415: the body was never read, let alone decided. */
export function unsupportedMediaType(op: Operation): Uint8Array {
  return malformedAnswer(op);
}
