import type fc from "fast-check";
import type { RuleId } from "./rule-id.js";

/**
 * What one flaw breaks and how a finding names it: the rule (and, where a flaw breaks a second
 * rule on the way, that one too, "C1/S4"), and a few words ("selected HOLD_PRODUCTION, CUTOVER
 * asked for"). Every family's `breaks` and `describe` are read from these, never written apart.
 */
export interface Explained {
  readonly rule: RuleId;
  readonly also?: readonly RuleId[];
  readonly what: string;
}

/** "R3: duplicate member selected", the text `ProbeFamily.breaks` returns. */
export function breaksText(explained: Explained): string {
  return `${[explained.rule, ...(explained.also ?? [])].join("/")}: ${explained.what}`;
}

/**
 * One table of flaws, like craft/malformations.ts's `Malformation` (a mutation with its rule): the
 * arbitrary that draws a flaw for a situation (an action, a seal slot), what each drawn flaw
 * breaks and how it reads, and how it is applied to the document it bends. `S` is what the
 * arbitrary and the explanation depend on; `A` is what applying one flaw needs and gives.
 */
export interface FlawTable<F, S, A> {
  arbitrary(situation: S): fc.Arbitrary<F>;
  explain(flaw: F, situation: S): Explained;
  apply: A;
}
