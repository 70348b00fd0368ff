/**
 * F5, controls: a correctly sealed, fully authorised request is allowed and a clean rehearsal
 * passes, so a gate that refuses everything cannot pass the fuzzer. An ALLOW must carry a permit
 * sealed by a gate key and a PASS an evidence seal by a rehearsal key: a positive verdict with a
 * token nobody can verify is not a working gate either.
 */
import type { Oracle, OracleInput, OracleVerdict } from "../types.js";
import { answerKind, decodeAnswer, isPositive, reasonList } from "./answer.js";

async function judge(input: OracleInput): Promise<OracleVerdict> {
  const { outcome, probe } = input;
  switch (outcome.kind) {
    case "harness_error":
      return { kind: "error", detail: "harness error: no answer to judge" };
    case "crashed":
      return { kind: "fail", reason: "control crashed instead of being allowed" };
    case "timed_out":
      return { kind: "fail", reason: "control hung instead of being allowed" };
    case "responded": {
      const kind = answerKind(probe.operation);
      const decoded = decodeAnswer(probe.operation, outcome.body);
      if (!decoded.ok)
        return { kind: "fail", reason: `control got no strict ${kind} document (${decoded.error.code})` };
      const doc = decoded.value;
      if (!isPositive(doc.verdict))
        return { kind: "fail", reason: `control got ${doc.verdict}: ${reasonList(doc)}` };
      if (doc.kind === "verdict") {
        const signer = doc.permit === undefined ? undefined : await input.sealedBy(doc.permit);
        return signer === "gate"
          ? { kind: "pass" }
          : { kind: "fail", reason: "control got ALLOW without a permit sealed by a gate key" };
      }
      const signer = doc.evidence === undefined ? undefined : await input.sealedBy(doc.evidence);
      return signer === "rehearsal"
        ? { kind: "pass" }
        : { kind: "fail", reason: "control got PASS without evidence sealed by a rehearsal key" };
    }
  }
}

export const controlOracle: Oracle = { name: "control", rule: "F5", appliesTo: "control", judge };
