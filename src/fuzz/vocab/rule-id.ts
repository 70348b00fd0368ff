/**
 * SPEC's stable rule ids (R1..R11, S1..S7, G1..G8, C1..C7, E1..E4, T1..T3, F1..F5) as a type: a
 * flaw names the rule it breaks with one of these, so a typo is a type error, not a report that
 * cites a rule that does not exist.
 */
// prettier-ignore
export const RULE_IDS = [
  "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11",
  "S1", "S2", "S3", "S4", "S5", "S6", "S7",
  "G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8",
  "C1", "C2", "C3", "C4", "C5", "C6", "C7",
  "E1", "E2", "E3", "E4",
  "T1", "T2", "T3",
  "F1", "F2", "F3", "F4", "F5",
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(text: string): text is RuleId {
  return (RULE_IDS as readonly string[]).includes(text);
}
