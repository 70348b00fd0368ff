/**
 * The words P08's SQL grammar builds migrations from. Structure first: an escape holds words and
 * statements, and render.ts assembles the SQL text at the end in a drawn style, so a shrunk finding
 * reads "COMMIT AND CHAIN after the CREATE TABLE", not a page of SQL.
 */
import fc from "fast-check";
import type { RuleId } from "../rule-id.js";

export type Mode = "transactional" | "snapshot_restore";

export type EscapeClass =
  | "transaction_control"
  | "non_transactional"
  | "cluster_wide"
  | "side_channel"
  | "session_state"
  | "opaque_code"
  | "meta_command"
  | "sequence"
  /** Changes nothing at all: a validator that skips `after_apply != before` passes it (C6). */
  | "no_op"
  /** Attacks the lane's own session, deadline or role, not the clone (issues #14, #18). */
  | "lane_session";

/**
 * A word of SQL. A plain string is a keyword or an unquoted identifier: it gets the drawn case, and
 * drawn whitespace or comments around it. `lit` is text kept byte for byte (string literals,
 * punctuation). `body` is a dollar-quoted function or DO body whose own words get the same style.
 */
export type Word =
  string | { readonly lit: string } | { readonly body: readonly Word[]; readonly tag: string };

/**
 * A statement: words ended by `;`, a psql meta-command line kept verbatim, or `raw` SQL: a whole
 * script of its own (several statements, function bodies, dynamic SQL), kept byte for byte since
 * its string literals and quoted names mean what they say.
 */
export type Stmt = { readonly words: readonly Word[] } | { readonly meta: string } | { readonly raw: string };

/**
 * How a probe hides its statements from a classifier that reads text instead of parsing it (issue
 * #15). Every spelling is PostgreSQL 15 syntax; spellings.ts says which a probe carries.
 */
export type SpellingClass =
  /** `-- …` up to the end of the line, between keywords or before a statement. */
  | "line-comment"
  /** `/* … *\/` between keywords or before a statement. */
  | "block-comment"
  /** `/* … /* … *\/ … *\/`: PostgreSQL nests block comments, a regular expression does not. */
  | "nested-comment"
  /** Keywords in any case but upper. */
  | "mixed-case"
  /** Tabs, form feeds, CR LF between keywords (never a vertical tab: PG 15's lexer rejects it). */
  | "odd-whitespace"
  /** The escaping statement before, between or after other statements of one string. */
  | "multi-statement"
  /** `$$…$$` and `$tag$…$tag$` strings and bodies. */
  | "dollar-quote"
  /** Quoted identifiers, some holding `;`, `--`, `/*`, `'` or a doubled `""`. */
  | "quoted-identifier"
  /** `E'…'` strings with backslash escapes. */
  | "e-string"
  /** `U&"…"` identifiers and `U&'…'` strings with Unicode escapes, with or without UESCAPE. */
  | "unicode-escape"
  /**
   * Semicolons, apostrophes and comment openers inside strings, identifiers or comments: to the
   * lexer they split nothing and open nothing.
   */
  | "semicolon-in-string"
  /** `'\'`: one backslash in a standard-conforming string, where C-style lexers see an open quote. */
  | "backslash-string";

export interface Escape {
  readonly cls: EscapeClass;
  /** A few words naming it, for findings: "COMMIT AND CHAIN", "pg_read_file in a DEFAULT". */
  readonly what: string;
  readonly stmts: readonly Stmt[];
  /** The modes it breaks a rule in, where narrower than its class's. */
  readonly modes?: readonly Mode[];
  /** The rule it breaks, where not its class's, and the rules whose defence it attacks. */
  readonly rule?: RuleId;
  readonly also?: readonly RuleId[];
  /** The spellings its own text uses, beyond those the drawn style adds (spellings.ts). */
  readonly spellings?: readonly SpellingClass[];
}

/** Placeholders filled at render time: the probe's own table and a fresh name suffix. */
export const TABLE = "{t}";
export const NAME = "{n}";

export const lit = (text: string): Word => ({ lit: text });
export const body = (tag: string, ...words: readonly Word[]): Word => ({ body: words, tag });
export const stmt = (...words: readonly Word[]): Stmt => ({ words });
export const esc = (cls: EscapeClass, what: string, ...stmts: readonly Stmt[]): Escape => ({
  cls,
  what,
  stmts,
});
/** Words as a finding names them: keywords as written, literals as they are, bodies elided. */
export const spoken = (words: readonly Word[]): string =>
  words.map((w) => (typeof w === "string" ? w : "lit" in w ? w.lit : "$$…$$")).join(" ");
export const pick = <const T>(...values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
export const opt = (...words: readonly Word[]): fc.Arbitrary<readonly Word[]> =>
  pick<readonly Word[]>([], words);
