/**
 * F1, attacks: the answer is never ALLOW or PASS. A body the strict codec refuses is `structured`'s
 * concern, except when a lenient client would still read an allow in it (duplicate members where
 * JSON.parse keeps the positive one, a bare "ALLOW"): that is an allow for those clients.
 */
import type { Oracle, OracleInput, OracleVerdict } from "../types.js";
import { answerKind, isPositive } from "./answer.js";
import { lenientPositiveReading } from "./lenient.js";

function judgeSync(input: OracleInput): OracleVerdict {
  const { outcome, probe, answer } = input;
  switch (outcome.kind) {
    case "harness_error":
      return { kind: "error", detail: "harness error: no answer to judge" };
    case "crashed":
    case "timed_out":
      // Nothing was allowed; the crash or hang is structured's finding (F4).
      return { kind: "pass" };
    case "responded": {
      if (answer.kind === "document") {
        return isPositive(answer.document.verdict)
          ? {
              kind: "fail",
              reason: `${answerKind(probe.operation)} ${answer.document.verdict} for an attack`,
            }
          : { kind: "pass" };
      }
      const lenient = lenientPositiveReading(outcome.body);
      return lenient === undefined ? { kind: "pass" } : { kind: "fail", reason: lenient };
    }
  }
}

export const verdictOracle: Oracle = {
  name: "verdict",
  rule: "F1",
  appliesTo: "attack",
  judge: (input) => Promise.resolve(judgeSync(input)),
};
