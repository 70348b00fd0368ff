/**
 * Migrations that change nothing (C6): the hardened validator fails them because `after_apply`
 * equals `before`; a validator that skips that comparison passes them. Each stands alone, without
 * the clean prefix, which would change the clone.
 */
import type fc from "fast-check";
import { esc, lit, NAME, pick, stmt, type Escape } from "./words.js";

const T = `fc_noop_${NAME}`;

export const noOp: fc.Arbitrary<Escape> = pick(
  esc("no_op", "SELECT 1 only", stmt("SELECT", "1")),
  esc("no_op", "a catalog read only", stmt("SELECT", "count", lit("(*)"), "FROM", "pg_catalog.pg_class")),
  esc(
    "no_op",
    "CREATE TABLE then DROP TABLE",
    stmt("CREATE", "TABLE", T, lit("(id integer)")),
    stmt("DROP", "TABLE", T),
  ),
  esc(
    "no_op",
    "a table filled, emptied and dropped",
    stmt("CREATE", "TABLE", T, lit("(id integer)")),
    stmt("INSERT", "INTO", T, "VALUES", lit("(1), (2)")),
    stmt("DELETE", "FROM", T),
    stmt("DROP", "TABLE", T),
  ),
  esc(
    "no_op",
    "CREATE VIEW then DROP VIEW",
    stmt("CREATE", "VIEW", T, "AS", "SELECT", "1", "AS", "one"),
    stmt("DROP", "VIEW", T),
  ),
);
