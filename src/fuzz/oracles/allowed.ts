/**
 * What "allowed" means for a request that must get through (F5): a strict answer document with a
 * positive verdict, an ALLOW carrying a permit sealed by a gate key, a PASS evidence sealed by a
 * rehearsal key. A positive verdict with a token nobody can verify is not a working gate either.
 * Shared by the control oracle (control families) and the sequence oracle (scenario setups).
 */
import type { OracleInput, OracleVerdict } from "../types.js";
import { answerKind, reasonList } from "./answer.js";

/** `what` names the request in reasons: "control", "setup step 2 of 5". */
export async function judgeAllowed(input: OracleInput, what: string): Promise<OracleVerdict> {
  const { outcome, probe, answer } = input;
  switch (outcome.kind) {
    case "harness_error":
      return { kind: "error", detail: "harness error: no answer to judge" };
    case "crashed":
      return { kind: "fail", reason: `${what} crashed instead of being allowed` };
    case "timed_out":
      return { kind: "fail", reason: `${what} hung instead of being allowed` };
    case "responded": {
      switch (answer.kind) {
        case "none":
          return { kind: "error", detail: "a response without its decoded answer" };
        case "undecodable":
          return {
            kind: "fail",
            reason: `${what} got no strict ${answerKind(probe.operation)} document (${answer.rejection.code})`,
          };
        case "document":
          break;
      }
      const doc = answer.document;
      if (doc.verdict !== "ALLOW" && doc.verdict !== "PASS")
        return { kind: "fail", reason: `${what} got ${doc.verdict}: ${reasonList(doc)}` };
      if (doc.kind === "verdict") {
        const signer = doc.permit === undefined ? undefined : await input.sealedBy(doc.permit);
        return signer === "gate"
          ? { kind: "pass" }
          : { kind: "fail", reason: `${what} got ALLOW without a permit sealed by a gate key` };
      }
      const signer = doc.evidence === undefined ? undefined : await input.sealedBy(doc.evidence);
      return signer === "rehearsal"
        ? { kind: "pass" }
        : { kind: "fail", reason: `${what} got PASS without evidence sealed by a rehearsal key` };
    }
  }
}
