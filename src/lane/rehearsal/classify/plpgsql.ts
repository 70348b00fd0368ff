import { lookupFunction } from "./functions.js";

/**
 * A conservative look inside LANGUAGE plpgsql bodies, which are opaque strings to the SQL parser
 * (libpg-query 15's WASM build exposes no plpgsql parser).
 *
 * Decision: the body is scanned as raw text, word by word, strings and comments included. We do
 * not try to skip literals or comments: a lexer that disagreed with PostgreSQL's by one quoting rule
 * (E'\'', dollar tags, nested comments) would let a word hide in what we thought was a string. So a
 * forbidden word inside a RAISE message refuses the body too; that is the price of failing closed.
 *
 * Words refused, and why:
 * - transaction control a procedure body can run: commit, rollback, savepoint, abort;
 * - dynamic SQL, whose text we cannot see: execute (also covers RETURN QUERY EXECUTE and
 *   FOR … IN EXECUTE); call; language (a nested CREATE FUNCTION or DO in another language);
 * - utility statements C2 refuses at top level: copy, vacuum, cluster, reindex, checkpoint,
 *   discard, load, listen, notify, unlisten, prepare, deallocate, concurrently, import, reset,
 *   authorization, session_authorization, session_replication_role, database, tablespace;
 * - all DDL (create, alter, drop, grant, revoke, reassign, owned, security): trigger and helper
 *   functions in a migration change rows, not schema, and DDL is how roles, extensions and
 *   foreign servers would be reached;
 * - every forbidden function name and family (dblink*, lo_*, pg_read_file, set_config, …);
 * - `u&` anywhere: U&"…" identifiers can spell any function name in escapes.
 *
 * Residual risk, accepted and documented: `SET name = value` inside a body cannot be told apart
 * from `UPDATE t SET col = value` without a plpgsql lexer, so plain SET is not refused here. Its
 * effect is undone by ROLLBACK (C3) and the digest pins its own settings (C5).
 */
const DENIED_WORDS: ReadonlySet<string> = new Set([
  "commit",
  "rollback",
  "savepoint",
  "abort",
  "execute",
  "call",
  "language",
  "copy",
  "vacuum",
  "cluster",
  "reindex",
  "checkpoint",
  "discard",
  "load",
  "listen",
  "notify",
  "unlisten",
  "prepare",
  "deallocate",
  "concurrently",
  "import",
  "reset",
  "authorization",
  "session_authorization",
  "session_replication_role",
  "database",
  "tablespace",
  "create",
  "alter",
  "drop",
  "grant",
  "revoke",
  "reassign",
  "owned",
  "security",
]);

/** PostgreSQL identifier characters, ASCII part: a superset split never hides a keyword. */
const WORD = /[a-z_][a-z0-9_$]*/g;

/** Returns the first denied word or function label found in the body, or undefined. */
export function plpgsqlHazard(body: string): string | undefined {
  const lower = body.toLowerCase();
  if (lower.includes("u&")) return "u&";
  for (const match of lower.matchAll(WORD)) {
    const word = match[0];
    if (DENIED_WORDS.has(word)) return word;
    const forbidden = lookupFunction(word);
    if (forbidden !== undefined) return forbidden.label;
  }
  return undefined;
}
