/** How a P08 migration is spelled: keyword case and what stands between two words. */
import fc from "fast-check";

export type Casing = "upper" | "lower" | "title" | "alternating" | "random";

export interface Style {
  readonly casing: Casing;
  readonly caseSeed: number;
  /** Indexes into GAPS, used in turn between words; empty means single spaces. */
  readonly gaps: readonly number[];
}

/** Between two words: what the lexer treats as a single space. Nested comments are valid SQL. */
export const GAPS: readonly string[] = [
  " ",
  "\n",
  "\t",
  " /* x */ ",
  "/**/",
  "\n-- a comment\n",
  " /* nested /* comment */ */ ",
  "\r\n",
  "  \n\t ",
];

export const styleArbitrary: fc.Arbitrary<Style> = fc.record({
  casing: fc.constantFrom<Casing>("upper", "lower", "title", "alternating", "random"),
  caseSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  gaps: fc.array(fc.integer({ min: 0, max: GAPS.length - 1 }), { maxLength: 6 }),
});
