import type { RehearsalResult, VerdictDocument } from "../codec/documents.js";
import { decodeDocument } from "../codec/decode.js";
import { encodeDocument } from "../codec/encode.js";

/** What a transport needs to know about an answer to choose its status (T2). */
export type AnswerClass = "allow" | "pass" | "hold" | "deny" | "refused" | "fail" | "malformed";

export interface Answer {
  readonly bytes: Uint8Array;
  readonly class: AnswerClass;
}

/** The operations every transport exposes; the rehearsal lane is optional (a gate-only server). */
export interface Service {
  decide(body: Uint8Array): Promise<Answer>;
  rehearse(body: Uint8Array): Promise<Answer>;
  /** Throws when a dependency the service needs is down. */
  health(): Promise<void>;
  close(): Promise<void>;
}

const INPUT_REASONS: ReadonlySet<string> = new Set(["malformed_input", "schema_violation"]);

export function classifyVerdict(verdict: VerdictDocument): AnswerClass {
  switch (verdict.verdict) {
    case "ALLOW":
      return "allow";
    case "HOLD":
      return "hold";
    case "DENY":
      return verdict.reasons.length > 0 && verdict.reasons.every((r) => INPUT_REASONS.has(r))
        ? "malformed"
        : "deny";
  }
}

export function classifyRehearsal(result: RehearsalResult): AnswerClass {
  switch (result.verdict) {
    case "PASS":
      return "pass";
    case "FAIL":
      return "fail";
    case "REFUSED":
      return result.reasons.length > 0 && result.reasons.every((r) => INPUT_REASONS.has(r))
        ? "malformed"
        : "refused";
  }
}

/**
 * The class of the verdict actually written, not of the one decided: the strict encoder replaces
 * a verdict it cannot encode with a bare DENY, and T2's status must say what the body says (an
 * ALLOW's 200 over a DENY body would be a transport that disagrees with itself). Bytes that are
 * not a verdict at all are a refusal.
 */
export function classifyWrittenVerdict(bytes: Uint8Array): AnswerClass {
  const written = decodeDocument("verdict", bytes);
  return written.ok ? classifyVerdict(written.value) : "deny";
}

/** The same for rehearsal results: the status follows the result written. */
export function classifyWrittenRehearsal(bytes: Uint8Array): AnswerClass {
  const written = decodeDocument("rehearsal-result", bytes);
  return written.ok ? classifyRehearsal(written.value) : "refused";
}

/** For a server started without a rehearsal lane: every rehearsal is refused, never run. */
export function laneNotConfigured(): Answer {
  const result: RehearsalResult = {
    kind: "rehearsal-result",
    v: 1,
    verdict: "REFUSED",
    reasons: ["internal_error"],
  };
  return { bytes: encodeDocument("rehearsal-result", result), class: "refused" };
}
