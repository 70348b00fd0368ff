import type { GateReason } from "../codec/documents.js";
import { isMalformed } from "../codec/rejection.js";
import { assertNever } from "../../kernel/result.js";
import type { SealRejection } from "../seal/verify.js";

/** G6: every way a seal can fail, in the gate's fixed vocabulary. */
export function gateReasonForSeal(rejection: SealRejection): GateReason {
  switch (rejection.code) {
    case "seal_malformed":
    case "header_invalid":
    case "kid_unknown":
    case "alg_mismatch":
    case "signature_invalid":
    case "detached_required":
    case "artifact_missing":
      return "seal_invalid";
    case "typ_mismatch":
    case "wrong_role":
    case "kind_mismatch":
      return "wrong_role_or_type";
    case "payload_invalid":
      return rejection.codec !== undefined && isMalformed(rejection.codec.code)
        ? "malformed_input"
        : "schema_violation";
    default:
      return assertNever(rejection.code, "seal code");
  }
}
