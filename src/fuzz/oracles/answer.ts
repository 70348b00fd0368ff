/** The answer document an operation must produce (SPEC T2: the body is always that document). */
import { decodeDocument } from "../../lane/index.js";
import type { Answer, AnswerDocument, Operation, Outcome } from "../types.js";

export type { Answer, AnswerDocument } from "../types.js";

export function answerKind(operation: Operation): "verdict" | "rehearsal-result" {
  return operation === "decide" ? "verdict" : "rehearsal-result";
}

/**
 * The body read exactly as the lane reads documents, strictly or not at all: once per outcome, by
 * the judging path, and handed to every oracle.
 */
export function answerOf(operation: Operation, outcome: Outcome): Answer {
  if (outcome.kind !== "responded") return { kind: "none" };
  const decoded =
    operation === "decide"
      ? decodeDocument("verdict", outcome.body)
      : decodeDocument("rehearsal-result", outcome.body);
  return decoded.ok
    ? { kind: "document", document: decoded.value }
    : { kind: "undecodable", rejection: decoded.error };
}

/** F1 and F5: the two verdicts that let a change through. */
export function isPositive(verdict: string): boolean {
  return verdict === "ALLOW" || verdict === "PASS";
}

/** Whether the answer is a strict document with a positive verdict. */
export function isPositiveAnswer(answer: Answer): boolean {
  return answer.kind === "document" && isPositive(answer.document.verdict);
}

/** A reason list as fixed codes only (they come from a strictly decoded document's enumeration). */
export function reasonList(doc: AnswerDocument): string {
  return doc.reasons.length === 0 ? "no reasons" : doc.reasons.join(", ");
}
