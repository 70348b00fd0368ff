/** Session state (C5): settings and identities that later statements and the digest depend on. */
import fc from "fast-check";
import { roleName } from "./cluster-wide.js";
import { lit, stmt, esc, spoken, pick, opt, type Escape, type Word } from "../words.js";

export const sessionCall = pick<readonly [string, string]>(
  ["set_config", "('search_path', 'evil, public', false)"],
  ["set_config", "('role', 'postgres', false)"],
  ["set_config", "('session_replication_role', 'replica', false)"],
  ["pg_advisory_lock", "(42)"],
);

export const sessionState: fc.Arbitrary<Escape> = fc.oneof(
  fc
    .tuple(
      opt("SESSION"),
      pick<readonly Word[]>(
        ["search_path", "=", "evil", lit(","), "public"],
        ["search_path", "TO", "pg_temp", lit(","), "public"],
        ["TimeZone", "=", lit("'America/New_York'")],
        ["extra_float_digits", "=", "0"],
        ["bytea_output", "=", "escape"],
        ["DateStyle", "=", "German"],
        ["session_replication_role", "=", "replica"],
        ["statement_timeout", "=", "0"],
      ),
    )
    .map(([session, setting]) =>
      esc("session_state", `SET ${spoken(setting.slice(0, 1))}`, stmt("SET", ...session, ...setting)),
    ),
  fc.constant(
    esc("session_state", "SET LOCAL search_path", stmt("SET", "LOCAL", "search_path", "=", "evil")),
  ),
  roleName.map((role) => esc("session_state", "SET ROLE", stmt("SET", "ROLE", role))),
  pick("postgres", "DEFAULT").map((who) =>
    esc("session_state", "SET SESSION AUTHORIZATION", stmt("SET", "SESSION", "AUTHORIZATION", who)),
  ),
  pick<readonly Word[]>(["ALL"], ["ROLE"], ["search_path"], ["SESSION", "AUTHORIZATION"]).map((what) =>
    esc("session_state", `RESET ${spoken(what.slice(0, 1))}`, stmt("RESET", ...what)),
  ),
  sessionCall.map(([fn, args]) => esc("session_state", fn, stmt("SELECT", fn, lit(args)))),
  fc.constant(
    esc(
      "session_state",
      "PREPARE then EXECUTE",
      stmt("PREPARE", "fc_stmt", "AS", "SELECT", "1"),
      stmt("EXECUTE", "fc_stmt"),
    ),
  ),
);
