/**
 * The differential oracle, every request copied to other transports: SPEC section 8 says the gate
 * is reachable in process (T1), over HTTP (T2) and over JSON lines (T3), "and each answers the same
 * bytes the same way". The reference target fires a refused gate request over the transport its
 * bytes pick, then over the two others (targets/transport-answer.ts); every copy must then be a
 * strict verdict document with the same verdict, the same reason codes and the same request_id,
 * over HTTP with the status T2 documents for it (t2-status.ts, stated here, not the lane's
 * mapping), and no key material or seal in its body or headers (the leak oracle, F2, on the copy).
 *
 * Only refusals are copied, so the comparison never depends on the ledger: a refusal changes
 * nothing but the audit log (G8), and each copy meets the state the first answer met. A request
 * that was allowed spent its grants (G5) and is not copied.
 */
import type { Answer, Oracle, OracleInput, OracleVerdict, TransportCopy } from "../types.js";
import { answerOf, reasonList } from "./answer.js";
import { leakOracle } from "./leak.js";
import { allowedStatuses } from "./t2-status.js";

function sameReasons(a: readonly string[], b: readonly string[]): boolean {
  const left = [...a].sort();
  const right = [...b].sort();
  return left.length === right.length && left.every((reason, i) => reason === right[i]);
}

function requestIdOf(answer: Extract<Answer, { kind: "document" }>): string | undefined {
  const doc = answer.document as { readonly request_id?: string };
  return doc.request_id;
}

async function judgeCopy(
  input: OracleInput,
  first: Extract<Answer, { kind: "document" }>,
  from: string,
  copy: TransportCopy,
): Promise<OracleVerdict> {
  const over = `over ${copy.transport}`;
  const { outcome } = copy;
  switch (outcome.kind) {
    case "harness_error":
      return { kind: "error", detail: `${over}: harness error: ${outcome.detail}` };
    case "crashed":
      return { kind: "fail", reason: `${over}: crashed where ${from} answered ${first.document.verdict}` };
    case "timed_out":
      return {
        kind: "fail",
        reason: `${over}: no answer within ${Math.round(outcome.elapsedMs)} ms where ${from} answered ${first.document.verdict}`,
      };
    case "responded":
      break;
  }
  const answer = answerOf(input.probe.operation, outcome);
  if (answer.kind !== "document")
    return {
      kind: "fail",
      reason: `${over}: not a strict verdict document where ${from} answered ${first.document.verdict}`,
    };
  const [a, b] = [first.document, answer.document];
  if (a.verdict !== b.verdict || !sameReasons(a.reasons, b.reasons))
    return {
      kind: "fail",
      reason: `${over}: ${b.verdict} (${reasonList(b)}) where ${from} answered ${a.verdict} (${reasonList(a)}) to the same bytes (T1-T3)`,
    };
  if (requestIdOf(first) !== requestIdOf(answer))
    return {
      kind: "fail",
      reason: `${over}: another request_id than ${from} gave for the same bytes (T1-T3, G7)`,
    };
  if (outcome.status !== undefined) {
    const allowed = allowedStatuses(b);
    if (!allowed.includes(outcome.status))
      return {
        kind: "fail",
        reason: `${over}: HTTP ${outcome.status} for ${b.verdict} (T2 wants ${allowed.join(" or ")})`,
      };
  }
  const leak = await leakOracle.judge({ ...input, outcome, answer });
  return leak.kind === "fail" ? { kind: "fail", reason: `${over}: ${leak.reason}` } : leak;
}

async function judge(input: OracleInput): Promise<OracleVerdict> {
  const { outcome, answer } = input;
  if (outcome.kind !== "responded" || outcome.copies === undefined || outcome.copies.length === 0)
    return { kind: "pass" };
  // The first answer's own shape is the structured oracle's to judge; copies compare with a document.
  if (answer.kind !== "document") return { kind: "pass" };
  const from = outcome.transport ?? "the first transport";
  let error: OracleVerdict | undefined;
  for (const copy of outcome.copies) {
    const verdict = await judgeCopy(input, answer, from, copy);
    if (verdict.kind === "fail") return verdict;
    if (verdict.kind === "error") error ??= verdict;
  }
  return error ?? { kind: "pass" };
}

export const differentialOracle: Oracle = {
  name: "differential",
  rule: "F4",
  appliesTo: "all",
  judge,
};
