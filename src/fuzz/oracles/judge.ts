/**
 * Runs the oracles that apply to a probe. An oracle that throws (or rejects) becomes an "error"
 * verdict, never a pass: an oracle that cannot judge leaves the family inconclusive (DESIGN.md).
 */
import type { Oracle, OracleInput, OracleVerdict, ProbeRole } from "../types.js";
import { scannerFor } from "./scanner-cache.js";

export interface OracleJudgement {
  readonly oracle: string;
  readonly rule: Oracle["rule"];
  readonly verdict: OracleVerdict;
}

export function appliesTo(oracle: Oracle, role: ProbeRole): boolean {
  return oracle.appliesTo === "all" || oracle.appliesTo === role;
}

/** An exception's message, unless it carries canary material (it may end up in a report). */
function safeMessage(error: unknown, canaries: readonly string[]): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  try {
    if (canaries.length > 0 && scannerFor(canaries)(message) === undefined) return message.slice(0, 300);
  } catch {
    // A scanner that cannot be built cannot clear the message either.
  }
  return "message withheld: it could not be cleared of canary material";
}

async function judgeOne(oracle: Oracle, input: OracleInput): Promise<OracleJudgement> {
  let verdict: OracleVerdict;
  try {
    verdict = await oracle.judge(input);
  } catch (error) {
    verdict = { kind: "error", detail: `oracle ${oracle.name} threw: ${safeMessage(error, input.canaries)}` };
  }
  return { oracle: oracle.name, rule: oracle.rule, verdict };
}

export async function judgeAll(oracles: readonly Oracle[], input: OracleInput): Promise<OracleJudgement[]> {
  return Promise.all(
    oracles.filter((oracle) => appliesTo(oracle, input.probe.role)).map((o) => judgeOne(o, input)),
  );
}
