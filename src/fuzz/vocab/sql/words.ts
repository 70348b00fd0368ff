/**
 * The words P08's SQL grammar builds migrations from. Structure first: an escape holds words and
 * statements, and render.ts assembles the SQL text at the end in a drawn style, so a shrunk finding
 * reads "COMMIT AND CHAIN after the CREATE TABLE", not a page of SQL.
 */
import fc from "fast-check";

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
  | "no_op";

/**
 * A word of SQL. A plain string is a keyword or an unquoted identifier: it gets the drawn case, and
 * drawn whitespace or comments around it. `lit` is text kept byte for byte (string literals,
 * punctuation). `body` is a dollar-quoted function or DO body whose own words get the same style.
 */
export type Word =
  string | { readonly lit: string } | { readonly body: readonly Word[]; readonly tag: string };

/** A statement: words ended by `;`, or a psql meta-command line kept verbatim. */
export type Stmt = { readonly words: readonly Word[] } | { readonly meta: string };

export interface Escape {
  readonly cls: EscapeClass;
  /** A few words naming it, for findings: "COMMIT AND CHAIN", "pg_read_file in a DEFAULT". */
  readonly what: string;
  readonly stmts: readonly Stmt[];
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
