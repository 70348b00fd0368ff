/**
 * P08's flawed classifier: keywords matched in the text instead of a parse (C2). Line comments are
 * stripped, the migration is cut at every `;`, and each piece is refused when it starts with a forbidden keyword as the house
 * style writes it (upper case, one space), names a forbidden pair (CREATE DATABASE, ALTER SYSTEM,
 * …) or calls a forbidden function (`pg_read_file(`, in any case). Written against the
 * migrations its authors write, it refuses every escape spelled that way, and misses the same
 * escape behind a comment, in lower case, between a name and its parenthesis, in a quoted or
 * Unicode-escaped name, or after a `;` that sits inside a string. The statements it lets through
 * then run: those the rehearsal cannot see (a SET, a LISTEN, a prepared statement, an advisory
 * lock) PASS.
 */
import type { Classify } from "../../../lane/index.js";
import { err, ok } from "../../../kernel/result.js";

const FIRST_WORDS = new Set([
  "BEGIN",
  "START",
  "COMMIT",
  "END",
  "ROLLBACK",
  "ABORT",
  "SAVEPOINT",
  "RELEASE",
  "PREPARE",
  "EXECUTE",
  "DEALLOCATE",
  "CALL",
  "DO",
  "VACUUM",
  "CLUSTER",
  "REINDEX",
  "CHECKPOINT",
  "LOAD",
  "DISCARD",
  "LISTEN",
  "UNLISTEN",
  "NOTIFY",
  "COPY",
  "SET",
  "RESET",
  "GRANT",
  "REVOKE",
  "REASSIGN",
]);

const PAIRS =
  /^(CREATE|ALTER|DROP|COMMENT ON) (OR REPLACE )?(DATABASE|ROLE|USER|GROUP|SYSTEM|TABLESPACE|EXTENSION|SERVER|FOREIGN|PUBLICATION|SUBSCRIPTION|RULE|FUNCTION|PROCEDURE|TRIGGER)\b/u;

const WORDS = /\bCONCURRENTLY\b/u;

const CALLS =
  /\b(pg_read_file|pg_read_binary_file|pg_ls_dir|pg_stat_file|lo_import|lo_export|lo_from_bytea|dblink|dblink_exec|pg_file_write|set_config|pg_advisory_lock|pg_notify|query_to_xml|pg_terminate_backend)\s*\(/iu;

function refused(piece: string): boolean {
  const text = piece.trim();
  // psql meta-commands: a line that starts with a backslash, or \g ending a query.
  if (/(^|\n)\s*\\|\\g(exec|set|x)?\b/u.test(text)) return true;
  const first = /^[A-Za-z_]+/u.exec(text)?.[0] ?? "";
  return FIRST_WORDS.has(first) || PAIRS.test(text) || WORDS.test(text) || CALLS.test(text);
}

export const keywordClassifier: Classify = (sql) => {
  // Line comments out first, as most such classifiers do, without knowing where strings are.
  const pieces = sql.replace(/--[^\n]*/gu, "").split(";");
  const index = pieces.findIndex(refused);
  if (index >= 0) {
    return Promise.resolve(
      err({
        code: "not_allowed",
        statementIndex: index,
        message: "a forbidden keyword or function",
      }),
    );
  }
  const statementCount = pieces.filter((p) => p.trim() !== "").length;
  return Promise.resolve(ok({ statementCount, statementTypes: [], parserVersion: 0 }));
};
