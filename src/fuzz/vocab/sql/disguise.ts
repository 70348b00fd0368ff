/**
 * Decoys around an escape, on one line: strings that look like the start of a comment or the end
 * of a string to a classifier that strips comments and strings with a regular expression, so the
 * escape between them looks like text it may skip. To PostgreSQL they are plain SELECTs (and
 * comments), so the escape between them is what the parser sees.
 */
import fc from "fast-check";
import { lit, type Escape, type SpellingClass, type Word } from "./words.js";

export type Decoy = readonly [
  what: string,
  before: string,
  after: string,
  spellings: readonly SpellingClass[],
];

export const DISGUISES: readonly Decoy[] = [
  ["strings that open and close a comment", "SELECT '/*'", "SELECT '*/'", ["semicolon-in-string"]],
  ["a string that starts a line comment", "SELECT '--'", "SELECT 1", ["semicolon-in-string"]],
  ["dollar-quoted apostrophes", "SELECT $$'$$", "SELECT $$'$$", ["dollar-quote"]],
  ["E'' strings with an escaped quote", "SELECT E'\\''", "SELECT E'\\''", ["e-string"]],
  [
    "a quoted identifier holding a semicolon and a comment",
    'SELECT 1 AS "x;--"',
    "SELECT 2",
    ["quoted-identifier", "semicolon-in-string"],
  ],
  // '\' is one backslash (standard_conforming_strings): a lexer that takes \' for an escaped quote
  // reads one string from the first apostrophe to the last, with the escape inside it.
  ["standard-conforming strings ending in a backslash", "SELECT '\\'", "SELECT '\\'", ["backslash-string"]],
  // E'\\' is one backslash too, ended by its second quote.
  [
    "E'' strings of one escaped backslash",
    "SELECT E'\\\\'",
    "SELECT E'\\\\'",
    ["e-string", "backslash-string"],
  ],
  // A tagged string holding $$: a $$…$$ matcher pairs the two inner $$ across the escape.
  ["tagged dollar quotes holding $$", "SELECT $fc$ $$ $fc$", "SELECT $fc$ $$ $fc$", ["dollar-quote"]],
  // Two comments on one line: a greedy /\*.*\*/ strips from the first opener to the last closer.
  ["block comments on either side", "/* before */ SELECT 1", "SELECT 2 /* after */", ["block-comment"]],
  // Apostrophes in comments: a stripper that removes strings before comments opens one here.
  [
    "apostrophes in comments",
    "/* ' */ SELECT 1",
    "SELECT 2 /* ' */",
    ["block-comment", "semicolon-in-string"],
  ],
  // U&'\0027' is an apostrophe; U&"x;y" a quoted identifier holding a semicolon.
  [
    "Unicode escapes for an apostrophe and a semicolon",
    "SELECT U&'\\0027' AS U&\"\\003b\"",
    "SELECT U&'\\0027'",
    ["unicode-escape", "semicolon-in-string"],
  ],
  [
    "a quoted identifier with a doubled quote and a semicolon",
    'SELECT 1 AS "a"";"',
    'SELECT 2 AS "--"""',
    ["quoted-identifier", "semicolon-in-string"],
  ],
  [
    "dollar-quoted semicolons and comment openers",
    "SELECT $q$; /* -- $q$",
    "SELECT $q$ */ ;$q$",
    ["dollar-quote", "semicolon-in-string"],
  ],
];

/**
 * The escape's statements on one line between the decoys; psql meta-commands and raw scripts (whose
 * line comments would swallow the rest of the line) stay as they are.
 */
export function disguise(escape: Escape, which: number): Escape {
  const [what, before, after, spellings] = DISGUISES[which % DISGUISES.length] ??
    DISGUISES[0] ?? ["", "", "", []];
  if (escape.stmts.some((s) => !("words" in s))) return escape;
  const words: Word[] = [lit(before), lit(";")];
  for (const s of escape.stmts) if ("words" in s) words.push(...s.words, lit(";"));
  words.push(lit(after));
  return {
    ...escape,
    what: `${escape.what}, between ${what}`,
    stmts: [{ words }],
    spellings: [...new Set([...(escape.spellings ?? []), "multi-statement" as const, ...spellings])],
  };
}

/** Escapes of the given tables, each between decoys. */
export function disguised(tables: readonly fc.Arbitrary<Escape>[]): fc.Arbitrary<Escape> {
  return fc.tuple(fc.oneof(...tables), fc.nat(DISGUISES.length - 1)).map(([e, which]) => disguise(e, which));
}
