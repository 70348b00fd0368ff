/**
 * Escapes whose names are spelled with Unicode escapes (issue #15): `U&"\0070g_read_file"` is the
 * identifier pg_read_file, `U&"!0070g…" UESCAPE '!'` too, and `U&'\002f'` is '/'. PostgreSQL's lexer
 * decodes them before the parser sees a name; a classifier that matches names in the text sees
 * none. Functions from the hidden-call table, settings and savepoints, so each keeps its class.
 */
import fc from "fast-check";
import { hiddenCall } from "./hidden.js";
import { esc, lit, pick, stmt, type Escape } from "../words.js";

const hex4 = (c: string): string => (c.codePointAt(0) ?? 0).toString(16).padStart(4, "0");

/**
 * A name as a U& identifier: every `which`-th character (and always the first) as an escape, with
 * the given escape character (a backslash unless UESCAPE names another).
 */
export function unicodeName(name: string, which: number, escapeChar = "\\"): string {
  const every = Math.max(1, which);
  const body = [...name].map((c, i) => (i % every === 0 ? `${escapeChar}${hex4(c)}` : c)).join("");
  const uescape = escapeChar === "\\" ? "" : ` UESCAPE '${escapeChar}'`;
  return `U&"${body}"${uescape}`;
}

/** A string literal as U&'…', every character escaped. */
export const unicodeString = (text: string): string => `U&'${[...text].map((c) => `\\${hex4(c)}`).join("")}'`;

const escapeChar = pick("\\", "!", "#");

export const unicodeEscaped: fc.Arbitrary<Escape> = fc
  .oneof(
    fc
      .tuple(hiddenCall, fc.integer({ min: 1, max: 4 }), escapeChar)
      .map(([[cls, fn, args], which, ch]) =>
        esc(
          cls,
          `${fn} spelled with Unicode escapes`,
          stmt("SELECT", lit(`${unicodeName(fn, which, ch)}${args}`)),
        ),
      ),
    fc.tuple(fc.integer({ min: 1, max: 4 }), escapeChar).map(([which, ch]) => ({
      ...esc(
        "session_state",
        "SET of a Unicode-escaped search_path",
        stmt("SET", lit(unicodeName("search_path", which, ch)), "=", "evil", lit(","), "public"),
      ),
    })),
    fc.constant(
      esc(
        "side_channel",
        "COPY to a Unicode-escaped file name",
        stmt("COPY", lit("(SELECT 1)"), "TO", lit(unicodeString("/tmp/fc-escaped"))),
      ),
    ),
    fc.constant(
      esc(
        "transaction_control",
        "PREPARE TRANSACTION with a Unicode-escaped gid",
        stmt("PREPARE", "TRANSACTION", lit(unicodeString("fc-escape"))),
      ),
    ),
    fc
      .integer({ min: 1, max: 3 })
      .map((which) =>
        esc(
          "transaction_control",
          "SAVEPOINT with a Unicode-escaped name, rolled back to",
          stmt("SAVEPOINT", lit(unicodeName("fc_sp", which))),
          stmt("ROLLBACK", "TO", "SAVEPOINT", lit(unicodeName("fc_sp", which))),
        ),
      ),
  )
  .map((escape) => ({ ...escape, spellings: ["unicode-escape"] as const }));
