/** How a P08 migration is spelled: keyword case and what stands between two words. */
import fc from "fast-check";

export type Casing = "upper" | "lower" | "title" | "alternating" | "random";

export interface Style {
  readonly casing: Casing;
  readonly caseSeed: number;
  /** Indexes into GAPS, used in turn between words; empty means single spaces. */
  readonly gaps: readonly number[];
  /** Index into LEADS, before every statement. */
  readonly lead: number;
  /** Index into SEPARATORS, after every statement. */
  readonly separator: number;
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
  // Form feed: whitespace to PostgreSQL's lexer, and to few hand-written classifiers. A vertical
  // tab is not: PostgreSQL 15's lexer rejects it (test/fuzz/vocab/sql-spellings.test.ts).
  " \f ",
  "\t\f\r\n",
  // Nested three deep: a non-nesting stripper ends the comment at the first `*/`.
  " /* a /* b /* c */ */ */ ",
  // A semicolon inside a comment: a splitter that cuts at every `;` cuts the statement here.
  " /* ; */ ",
  "\n--;\n",
  // An apostrophe in a comment: a stripper that removes strings first opens one here.
  "\n-- it's\n",
  " /* ' */ ",
];

/**
 * What goes before each statement: nothing, or a comment (a classifier that reads the first word
 * of a statement reads the comment's). The last one holds a decoy statement a text scan would find.
 */
export const LEADS: readonly string[] = [
  "",
  "/* reviewed */ ",
  "-- migration step\n",
  "/* nested /* comment */ */ ",
  "/* ; SELECT 1; */ ",
];

/**
 * What ends each statement: a classifier that expects one statement a line misses the second of
 * `SELECT 1; COMMIT;` on one line; an empty statement (`;;`) is valid SQL.
 */
export const SEPARATORS: readonly string[] = [";\n", "; ", ";", ";;\n", " ;\n\n"];

export const styleArbitrary: fc.Arbitrary<Style> = fc.record({
  casing: fc.constantFrom<Casing>("upper", "lower", "title", "alternating", "random"),
  caseSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  gaps: fc.array(fc.integer({ min: 0, max: GAPS.length - 1 }), { maxLength: 6 }),
  lead: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.nat(LEADS.length - 1) },
  ),
  separator: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.nat(SEPARATORS.length - 1) },
  ),
});
