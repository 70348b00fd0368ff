/**
 * Decoys around an escape, on one line: strings that look like the start of a comment or the end
 * of a string to a classifier that strips comments and strings with a regular expression, so the
 * escape between them looks like text it may skip. To PostgreSQL they are plain SELECTs.
 */
import fc from "fast-check";
import { lit, type Escape, type Word } from "./words.js";

export const DISGUISES: ReadonlyArray<readonly [what: string, before: string, after: string]> = [
  ["strings that open and close a comment", "SELECT '/*'", "SELECT '*/'"],
  ["a string that starts a line comment", "SELECT '--'", "SELECT 1"],
  ["dollar-quoted apostrophes", "SELECT $$'$$", "SELECT $$'$$"],
  ["E'' strings with an escaped quote", "SELECT E'\\''", "SELECT E'\\''"],
  ["a quoted identifier holding a semicolon and a comment", 'SELECT 1 AS "x;--"', "SELECT 2"],
];

/**
 * The escape's statements on one line between the decoys; psql meta-commands and raw scripts (whose
 * line comments would swallow the rest of the line) stay as they are.
 */
export function disguise(escape: Escape, which: number): Escape {
  const [what, before, after] = DISGUISES[which % DISGUISES.length] ?? DISGUISES[0] ?? ["", "", ""];
  if (escape.stmts.some((s) => !("words" in s))) return escape;
  const words: Word[] = [lit(before), lit(";")];
  for (const s of escape.stmts) if ("words" in s) words.push(...s.words, lit(";"));
  words.push(lit(after));
  return { ...escape, what: `${escape.what}, between ${what}`, stmts: [{ words }] };
}

/** Escapes of the given tables, each between decoys. */
export function disguised(tables: readonly fc.Arbitrary<Escape>[]): fc.Arbitrary<Escape> {
  return fc.tuple(fc.oneof(...tables), fc.nat(DISGUISES.length - 1)).map(([e, which]) => disguise(e, which));
}
