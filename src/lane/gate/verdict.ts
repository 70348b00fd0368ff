import type { GateReason, VerdictDocument } from "../codec/documents.js";
import { encodeDocument } from "../codec/encode.js";

/**
 * G7: a HOLD or DENY is only its verdict, fixed reason codes and the request id when the request
 * was well formed; nothing from the input beyond that validated identifier, and never a JWS.
 */
export function refusal(
  verdict: "HOLD" | "DENY",
  reasons: readonly GateReason[],
  requestId?: string,
): VerdictDocument {
  const unique = [...new Set(reasons)];
  return requestId === undefined
    ? { kind: "verdict", v: 1, verdict, reasons: unique }
    : { kind: "verdict", v: 1, verdict, reasons: unique, request_id: requestId };
}

export function allowed(requestId: string, permit: string): VerdictDocument {
  return { kind: "verdict", v: 1, verdict: "ALLOW", reasons: [], request_id: requestId, permit };
}

/** The last line of defence: a verdict that cannot be encoded strictly becomes a bare DENY. */
export function verdictBytes(verdict: VerdictDocument): Uint8Array {
  try {
    return encodeDocument("verdict", verdict);
  } catch {
    return encodeDocument("verdict", refusal("DENY", ["internal_error"]));
  }
}
