/**
 * Migrations that change nothing (C6): the hardened validator fails them because `after_apply`
 * equals `before`; a validator that skips that comparison passes them. Each stands alone, without
 * the clean prefix, which would change the clone. Some change something and undo it in the same
 * migration; some touch the reference clone's own table (reference-clone.ts, SEED_SQL) without
 * changing a row's text; one is only a comment, which the lane refuses as empty.
 */
import type fc from "fast-check";
import { body, esc, lit, NAME, pick, stmt, type Escape } from "./words.js";

const T = `fc_noop_${NAME}`;
/** The reference clone's pre-existing table (reference-clone.ts, SEED_SQL). */
const SEEDED = "public.accounts";

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
    "a table without columns created and dropped",
    stmt("CREATE", "TABLE", T, lit("()")),
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
  esc(
    "no_op",
    "UPDATE … WHERE false",
    stmt("UPDATE", SEEDED, "SET", "label", "=", "label", "WHERE", "false"),
  ),
  // Every row rewritten (new tuple versions), every row's text the same: the digest reads text.
  esc("no_op", "UPDATE of every row to itself", stmt("UPDATE", SEEDED, "SET", "label", "=", "label")),
  esc("no_op", "DELETE … WHERE false", stmt("DELETE", "FROM", SEEDED, "WHERE", "false")),
  esc(
    "no_op",
    "INSERT of no rows",
    stmt("INSERT", "INTO", SEEDED, "SELECT", lit("*"), "FROM", SEEDED, "WHERE", "false"),
  ),
  esc(
    "no_op",
    "a rename and its undoing",
    stmt("ALTER", "TABLE", SEEDED, "RENAME", "TO", T),
    stmt("ALTER", "TABLE", `public.${T}`, "RENAME", "TO", "accounts"),
  ),
  esc("no_op", "CREATE SCHEMA then DROP SCHEMA", stmt("CREATE", "SCHEMA", T), stmt("DROP", "SCHEMA", T)),
  esc("no_op", "a lock and nothing else", stmt("LOCK", "TABLE", SEEDED, "IN", "ACCESS", "SHARE", "MODE")),
  esc(
    "no_op",
    "a set-returning function read",
    stmt("SELECT", lit("*"), "FROM", "generate_series", lit("(1, 3)")),
  ),
  // The lane refuses this one as empty (no statement): refused, it cannot pass either.
  {
    ...esc("no_op", "a comment only", { raw: "/* nothing /* to */ do */ -- at all" }),
    spellings: ["block-comment", "nested-comment", "line-comment"],
  },
  // A no-op C2 refuses all the same, for the DO block: it takes C2's class, not C6's.
  esc("opaque_code", "an empty DO block (a no-op)", stmt("DO", body("$$", "BEGIN", "NULL", lit(";"), "END"))),
);
