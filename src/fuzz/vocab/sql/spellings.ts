/**
 * Which spellings a P08 probe hides its statements behind (issue #15): those of its drawn style
 * (case, what stands between words and before statements) and those its escapes' own text uses.
 * Read from the structure, never from the rendered text, so a count of classes over a sample says
 * what the grammar drew, not what a second classifier thinks it sees.
 */
import { renderStatements } from "./render.js";
import type { RollbackValue } from "./rollback-value.js";
import { GAPS, LEADS } from "./style.js";
import type { SpellingClass } from "./words.js";

export const SPELLING_CLASSES: readonly SpellingClass[] = [
  "line-comment",
  "block-comment",
  "nested-comment",
  "mixed-case",
  "odd-whitespace",
  "multi-statement",
  "dollar-quote",
  "quoted-identifier",
  "e-string",
  "unicode-escape",
  "semicolon-in-string",
  "backslash-string",
];

/** The spellings a piece of lexer-neutral text (a gap or a lead) uses. */
export function spellingsOfFiller(text: string): SpellingClass[] {
  const found: SpellingClass[] = [];
  if (text.includes("--")) found.push("line-comment");
  if (text.includes("/*")) found.push("block-comment");
  if (/\/\*[^]*\/\*/u.test(text)) found.push("nested-comment");
  if (/[\t\f\r]/u.test(text)) found.push("odd-whitespace");
  // A gap or a lead is only whitespace and comments: a `;` or `'` in one sits inside a comment.
  if (/[;']/u.test(text)) found.push("semicolon-in-string");
  return found;
}

/** Every spelling class the value's migration uses. */
export function spellingsOf(value: RollbackValue): ReadonlySet<SpellingClass> {
  const found = new Set<SpellingClass>();
  const { style } = value;
  if (style.casing !== "upper") found.add("mixed-case");
  for (const gap of renderStatements(value).renderer.gapsUsed)
    for (const s of spellingsOfFiller(GAPS[gap] ?? "")) found.add(s);
  for (const s of spellingsOfFiller(LEADS[style.lead] ?? "")) found.add(s);
  const statements = value.escapes.reduce((n, e) => n + e.stmts.length, value.prefix === null ? 0 : 2);
  if (statements > 1) found.add("multi-statement");
  for (const escape of value.escapes) {
    for (const s of escape.spellings ?? []) found.add(s);
    if (escape.stmts.some((s) => "words" in s && s.words.some((w) => typeof w !== "string" && "body" in w)))
      found.add("dollar-quote");
  }
  return found;
}
