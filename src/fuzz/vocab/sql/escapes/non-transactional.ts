/** Statements that cannot run inside a transaction block, or act outside it (C2). */
import fc from "fast-check";
import { lit, stmt, esc, spoken, pick, opt, TABLE, NAME, type Escape, type Word } from "../words.js";

export const nonTransactional: fc.Arbitrary<Escape> = fc.oneof(
  fc
    .tuple(pick<readonly Word[]>([], ["FULL"], ["ANALYZE"], ["FREEZE"], [lit("(VERBOSE)")]), opt(TABLE))
    .map(([options, table]) => esc("non_transactional", "VACUUM", stmt("VACUUM", ...options, ...table))),
  fc
    .tuple(opt("UNIQUE"), opt("IF", "NOT", "EXISTS"))
    .map(([unique, ifNot]) =>
      esc(
        "non_transactional",
        "CREATE INDEX CONCURRENTLY",
        stmt(
          "CREATE",
          ...unique,
          "INDEX",
          "CONCURRENTLY",
          ...ifNot,
          `fc_idx_${NAME}`,
          "ON",
          TABLE,
          lit("(id)"),
        ),
      ),
    ),
  opt("IF", "EXISTS").map((ifExists) =>
    esc(
      "non_transactional",
      "DROP INDEX CONCURRENTLY",
      stmt("DROP", "INDEX", "CONCURRENTLY", ...ifExists, `fc_idx_${NAME}`),
    ),
  ),
  pick<readonly Word[]>(
    ["REINDEX", "TABLE", "CONCURRENTLY", TABLE],
    ["REINDEX", lit("(CONCURRENTLY)"), "TABLE", TABLE],
    ["REINDEX", "DATABASE", "postgres"],
    ["REINDEX", "SCHEMA", "public"],
    ["REINDEX", "SYSTEM", "postgres"],
  ).map((words) => esc("non_transactional", spoken(words.slice(0, 2)), stmt(...words))),
  pick<readonly Word[]>(
    ["CREATE", "DATABASE", `fc_db_${NAME}`],
    ["DROP", "DATABASE", "IF", "EXISTS", `fc_db_${NAME}`],
    ["DROP", "DATABASE", "postgres"],
  ).map((words) => esc("non_transactional", `${spoken(words.slice(0, 1))} DATABASE`, stmt(...words))),
  pick<readonly Word[]>(
    ["ALTER", "SYSTEM", "SET", "fsync", "=", "off"],
    ["ALTER", "SYSTEM", "SET", "log_statement", "=", lit("'none'")],
    ["ALTER", "SYSTEM", "RESET", "ALL"],
  ).map((words) => esc("non_transactional", "ALTER SYSTEM", stmt(...words))),
  pick<readonly Word[]>(
    ["CREATE", "TABLESPACE", `fc_ts_${NAME}`, "LOCATION", lit("'/tmp'")],
    ["DROP", "TABLESPACE", "IF", "EXISTS", `fc_ts_${NAME}`],
  ).map((words) => esc("non_transactional", `${spoken(words.slice(0, 1))} TABLESPACE`, stmt(...words))),
  fc.constant(esc("non_transactional", "CHECKPOINT", stmt("CHECKPOINT"))),
  pick("ALL", "PLANS", "TEMP", "SEQUENCES").map((what) =>
    esc("non_transactional", `DISCARD ${what}`, stmt("DISCARD", what)),
  ),
  pick<readonly Word[]>(
    ["LISTEN", "fc_channel"],
    ["NOTIFY", "fc_channel"],
    ["NOTIFY", "fc_channel", lit(", 'escaped'")],
    ["UNLISTEN", lit("*")],
  ).map((words) => esc("non_transactional", spoken(words.slice(0, 1)), stmt(...words))),
  fc.constant(
    esc("non_transactional", "pg_notify", stmt("SELECT", "pg_notify", lit("('fc_channel', 'escaped')"))),
  ),
  fc.constant(esc("non_transactional", "CLUSTER of every table", stmt("CLUSTER"))),
  fc.constant(esc("non_transactional", "LOAD of a library", stmt("LOAD", lit("'auto_explain'")))),
);
