/**
 * The stable signature of a flaw: what SARIF's partialFingerprints carry and what a baseline is
 * keyed by. The same flaw found again, by another seed, on another night, must give the same
 * value, so it is made only of what names the flaw: the family, the oracle and the F rule that
 * failed, the SPEC rule the probe broke, and the class of what the target did. Never the seed,
 * the bytes, the description of the one probe that happened to reach it (another seed reaches the
 * same flawed check through another action or another blocker), nor numbers, digests, paths or
 * quoted text in the oracle's reason (elapsed milliseconds, nonce counts, digest prefixes).
 */
import { createHash } from "node:crypto";
import type { FamilyResult, Finding } from "../types.js";

/** The key under partialFingerprints; the suffix changes whenever the recipe below changes. */
export const FINGERPRINT_KEY = "failclosedFlaw/v1";

/** "F1 (G2: selected ..., REPOINT needs ...)" gives F1 and G2; a control's "F5 (control)" gives F5 alone. */
export function ruleIds(findingRule: string): { readonly oracleRule: string; readonly specRule: string } {
  const oracleRule = /^(F[0-9]+)\b/.exec(findingRule)?.[1] ?? "F4";
  const broken = /^F[0-9]+ \(([A-Z][0-9]+):/.exec(findingRule)?.[1];
  return { oracleRule, specRule: broken ?? oracleRule };
}

/** What the target did, with everything that varies between two sightings of one flaw masked. */
export function outcomeClass(reason: string): string {
  return (
    reason
      .replace(/\([^()]*\)/g, "(…)")
      .replace(/(?:^|\s)\/\S*/g, " <path>")
      // A number and a hex run are one token: "10000000" and "00aa00a0" are both just a value.
      .replace(/\b[0-9a-f]*[0-9][0-9a-f]*\b/gi, "#")
      .replace(/[0-9]+/g, "#")
      .replace(/"[^"]*"/g, '"…"')
      .replace(/\s+/g, " ")
      .trim()
  );
}

function digest(parts: readonly string[]): string {
  return createHash("sha256")
    .update(JSON.stringify([FINGERPRINT_KEY, ...parts]))
    .digest("hex");
}

export function findingFingerprint(finding: Finding): string {
  const { oracleRule, specRule } = ruleIds(finding.rule);
  return digest([
    "finding",
    finding.family,
    finding.oracle,
    oracleRule,
    specRule,
    outcomeClass(finding.reason),
  ]);
}

/** An inconclusive family: one alert per family and kind of shortfall, whatever the numbers. */
export function inconclusiveFingerprint(result: FamilyResult, why: string): string {
  return digest(["inconclusive", result.family, outcomeClass(why)]);
}
