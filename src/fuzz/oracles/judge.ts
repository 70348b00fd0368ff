/**
 * The one judging path: the engine, scenarios, races, replays and tests all judge through here.
 * Every oracle that applies to the request judges the same input, whose answer was decoded once;
 * an oracle that throws (or rejects) is an error verdict, never a pass, and its message reaches
 * the judgement only when the canary scanner clears it. Then the verdicts become one Judgement.
 */
import type { Answer, Expectation, Judgement, Oracle, OracleInput, OracleVerdict } from "../types.js";
import { answerOf } from "./answer.js";
import { redacted, redactedError } from "./redact.js";

export function appliesTo(oracle: Oracle, expectation: Expectation): boolean {
  return oracle.appliesTo === "all" || oracle.appliesTo === expectation;
}

/** An oracle input whose answer is decoded here, once, unless the caller already decoded it. */
export function oracleInput(fields: Omit<OracleInput, "answer"> & { readonly answer?: Answer }): OracleInput {
  return { ...fields, answer: fields.answer ?? answerOf(fields.probe.operation, fields.outcome) };
}

async function verdictOf(oracle: Oracle, input: OracleInput): Promise<OracleVerdict> {
  try {
    return await oracle.judge(input);
  } catch (error) {
    return { kind: "error", detail: `oracle ${oracle.name} threw: ${redactedError(error, input.canaries)}` };
  }
}

/**
 * Runs every applicable oracle, in the order given (the registry's: F1 first). A failure decides,
 * because a request that failed open is a finding whatever else could not be judged; otherwise a
 * harness error, then the first oracle error, makes the probe an error (inconclusive).
 */
export async function judgeAll(oracles: readonly Oracle[], input: OracleInput): Promise<Judgement> {
  const applicable = oracles.filter((oracle) => appliesTo(oracle, input.expectation));
  const verdicts = await Promise.all(applicable.map((oracle) => verdictOf(oracle, input)));
  let error: string | undefined;
  for (const [index, verdict] of verdicts.entries()) {
    const oracle = applicable[index];
    if (oracle === undefined) continue;
    switch (verdict.kind) {
      case "fail":
        return { kind: "fail", oracle, reason: verdict.reason, outcome: input.outcome.kind };
      case "error":
        error ??= `${oracle.name}: ${verdict.detail}`;
        break;
      case "pass":
        break;
    }
  }
  if (input.outcome.kind === "harness_error")
    return { kind: "error", detail: `harness error: ${redacted(input.outcome.detail, input.canaries)}` };
  if (applicable.length === 0)
    return { kind: "error", detail: `no oracle judges a request expected as ${input.expectation}` };
  return error === undefined ? { kind: "pass" } : { kind: "error", detail: error };
}
