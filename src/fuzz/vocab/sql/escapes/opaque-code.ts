/** Opaque code (C2): bodies the SQL parser cannot see into. */
import fc from "fast-check";
import { lit, body, stmt, esc, spoken, pick, opt, NAME, type Escape, type Word } from "../words.js";

export const plpgsqlEscape = pick<readonly Word[]>(
  ["COMMIT", lit(";")],
  ["ROLLBACK", lit(";")],
  ["EXECUTE", lit("'VACUUM'"), lit(";")],
  ["EXECUTE", lit("'CREATE ROLE fc_hidden SUPERUSER'"), lit(";")],
  ["EXECUTE", "format", lit("('COPY %I TO PROGRAM %L', 'x', 'id')"), lit(";")],
  ["PERFORM", "pg_read_file", lit("('/etc/passwd')"), lit(";")],
  ["PERFORM", "dblink_exec", lit("('dbname=postgres', 'CREATE TABLE escaped (x int)')"), lit(";")],
  ["PERFORM", "set_config", lit("('role', 'postgres', false)"), lit(";")],
);

export const opaqueCode: fc.Arbitrary<Escape> = fc.oneof(
  fc
    .tuple(plpgsqlEscape, opt("LANGUAGE", "plpgsql"))
    .map(([inner, language]) =>
      esc(
        "opaque_code",
        `DO block with ${spoken(inner.slice(0, 1))}`,
        stmt("DO", ...language, body("$$", "BEGIN", ...inner, "END")),
      ),
    ),
  fc.tuple(plpgsqlEscape, pick("FUNCTION", "PROCEDURE"), fc.boolean()).map(([inner, kind, invoke]) => {
    const returns: readonly Word[] = kind === "FUNCTION" ? ["RETURNS", "void"] : [];
    const create = stmt(
      "CREATE",
      "OR",
      "REPLACE",
      kind,
      `fc_fn_${NAME}`,
      lit("()"),
      ...returns,
      "LANGUAGE",
      "plpgsql",
      "AS",
      body("$fn$", "BEGIN", ...inner, "END"),
    );
    const call =
      kind === "FUNCTION"
        ? stmt("SELECT", `fc_fn_${NAME}`, lit("()"))
        : stmt("CALL", `fc_fn_${NAME}`, lit("()"));
    return esc(
      "opaque_code",
      `plpgsql ${kind.toLowerCase()} with ${spoken(inner.slice(0, 1))}${invoke ? ", called" : ""}`,
      ...(invoke ? [create, call] : [create]),
    );
  }),
  pick<readonly Word[]>(
    ["LANGUAGE", "c", "AS", lit("'$libdir/fc_evil', 'fc_evil'")],
    ["LANGUAGE", "internal", "AS", lit("'pg_read_file_all'")],
    ["LANGUAGE", "plpython3u", "AS", lit("$$ import os; os.system('id') $$")],
  ).map((tail) =>
    esc(
      "opaque_code",
      `LANGUAGE ${spoken(tail.slice(1, 2))} function`,
      stmt("CREATE", "FUNCTION", `fc_fn_${NAME}`, lit("(text)"), "RETURNS", "text", ...tail),
    ),
  ),
  fc.constant(
    esc(
      "opaque_code",
      "query_to_xml of a utility statement",
      stmt("SELECT", "query_to_xml", lit("('VACUUM', true, true, '')")),
    ),
  ),
);
