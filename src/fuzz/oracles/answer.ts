/** The answer document an operation must produce (SPEC T2: the body is always that document). */
import { decodeDocument } from "../../lane/index.js";
import type { CodecRejection, RehearsalResult, VerdictDocument } from "../../lane/index.js";
import type { Result } from "../../kernel/result.js";
import type { Operation } from "../types.js";

export type AnswerDocument = VerdictDocument | RehearsalResult;

export function answerKind(operation: Operation): "verdict" | "rehearsal-result" {
  return operation === "decide" ? "verdict" : "rehearsal-result";
}

/** The body read exactly as the lane reads documents: strictly, or not at all. */
export function decodeAnswer(operation: Operation, body: Uint8Array): Result<AnswerDocument, CodecRejection> {
  return operation === "decide" ? decodeDocument("verdict", body) : decodeDocument("rehearsal-result", body);
}

/** F1 and F5: the two verdicts that let a change through. */
export function isPositive(verdict: string): boolean {
  return verdict === "ALLOW" || verdict === "PASS";
}

/** A reason list as fixed codes only (they come from a strictly decoded document's enumeration). */
export function reasonList(doc: AnswerDocument): string {
  return doc.reasons.length === 0 ? "no reasons" : doc.reasons.join(", ");
}
