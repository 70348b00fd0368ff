/** Cluster-wide changes (C2): roles, memberships, shared catalogs. */
import fc from "fast-check";
import { lit, stmt, esc, pick, NAME, type Escape, type Word } from "../words.js";

export const roleName = pick(`fc_role_${NAME}`, "fc_admin", "postgres");

export const clusterWide: fc.Arbitrary<Escape> = fc.oneof(
  fc
    .tuple(
      pick("ROLE", "USER", "GROUP"),
      pick<readonly Word[]>([], ["SUPERUSER"], ["LOGIN", "PASSWORD", lit("'x'")], ["WITH", "CREATEROLE"]),
    )
    .map(([kind, options]) =>
      esc("cluster_wide", `CREATE ${kind}`, stmt("CREATE", kind, `fc_role_${NAME}`, ...options)),
    ),
  fc
    .tuple(
      roleName,
      pick<readonly Word[]>(["SUPERUSER"], ["PASSWORD", lit("'x'")], ["SET", "search_path", "=", "evil"]),
    )
    .map(([role, change]) => esc("cluster_wide", "ALTER ROLE", stmt("ALTER", "ROLE", role, ...change))),
  roleName.map((role) => esc("cluster_wide", "DROP ROLE", stmt("DROP", "ROLE", "IF", "EXISTS", role))),
  fc
    .tuple(
      pick("pg_read_server_files", "pg_execute_server_program", "pg_write_server_files", "postgres"),
      pick("PUBLIC", "CURRENT_USER", "fc_admin"),
    )
    .map(([granted, to]) =>
      esc("cluster_wide", `GRANT ${granted} TO a role`, stmt("GRANT", granted, "TO", to)),
    ),
  fc.constant(
    esc("cluster_wide", "REVOKE a membership", stmt("REVOKE", "pg_read_all_data", "FROM", "CURRENT_USER")),
  ),
  fc.constant(
    esc(
      "cluster_wide",
      "GRANT on the database",
      stmt("GRANT", "CREATE", "ON", "DATABASE", "postgres", "TO", "PUBLIC"),
    ),
  ),
  fc.constant(
    esc(
      "cluster_wide",
      "ALTER DATABASE SET",
      stmt("ALTER", "DATABASE", "postgres", "SET", "search_path", "=", "evil"),
    ),
  ),
  fc.constant(
    esc(
      "cluster_wide",
      "COMMENT ON DATABASE",
      stmt("COMMENT", "ON", "DATABASE", "postgres", "IS", lit("'escaped'")),
    ),
  ),
  fc.constant(
    esc("cluster_wide", "REASSIGN OWNED", stmt("REASSIGN", "OWNED", "BY", "CURRENT_USER", "TO", "postgres")),
  ),
);
