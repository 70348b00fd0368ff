/** SPEC T2: the HTTP status each answer must carry. */
import type { AnswerDocument } from "./answer.js";

const INPUT_REASONS: ReadonlySet<string> = new Set(["malformed_input", "schema_violation"]);

/** The statuses T2 allows for this document (413 stays open to any refusal of malformed input). */
export function allowedStatuses(doc: AnswerDocument): readonly number[] {
  switch (doc.verdict) {
    case "ALLOW":
    case "PASS":
      return [200];
    case "HOLD":
      return [423];
    case "FAIL":
      return [422];
    case "DENY":
    case "REFUSED": {
      const reasons: readonly string[] = doc.reasons;
      const malformed = reasons.length > 0 && reasons.every((reason) => INPUT_REASONS.has(reason));
      const oversize = reasons.includes("malformed_input") ? [413] : [];
      return [malformed ? 400 : 403, ...oversize];
    }
  }
}
