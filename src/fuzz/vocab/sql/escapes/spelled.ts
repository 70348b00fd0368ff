/**
 * Escapes of the other tables spelled the ways a classifier that matches text instead of parsing
 * misses: quoted identifiers ("pg_read_file"), schema-qualified names, dollar-quoted and E''
 * strings (E'\x2fetc' is '/etc'). PostgreSQL's parser reads each as the plain spelling.
 */
import type fc from "fast-check";
import { PREEXISTING_SEQUENCE } from "./sequence.js";
import {
  esc,
  lit,
  NAME,
  pick,
  stmt,
  TABLE,
  type Escape,
  type EscapeClass,
  type SpellingClass,
} from "../words.js";

const QUOTED_SEQUENCE = PREEXISTING_SEQUENCE.split(".")
  .map((part) => `"${part}"`)
  .join(".");

/** [class, what, the statement's words]: each parses to an escape of that class. */
const SPELLED: ReadonlyArray<readonly [EscapeClass, string, readonly string[]]> = [
  [
    "side_channel",
    "quoted pg_read_file with a dollar-quoted path",
    ["SELECT", '"pg_read_file"($$/etc/passwd$$)'],
  ],
  ["side_channel", "pg_catalog.pg_ls_dir with an E'' string", ["SELECT", "pg_catalog.pg_ls_dir(E'\\x2e')"]],
  ["side_channel", "quoted lo_import with an E'' path", ["SELECT", "\"lo_import\"(E'\\x2fetc\\x2fpasswd')"]],
  ["side_channel", "COPY to a dollar-quoted file", ["COPY", "(SELECT 1) TO $$/tmp/fc-escaped$$"]],
  ["side_channel", "COPY of a quoted table to an E'' file", ["COPY", `"${TABLE}" TO E'/tmp/fc-escaped'`]],
  [
    "session_state",
    "quoted set_config with dollar quotes",
    ["SELECT", '"set_config"($$search_path$$, $$evil, public$$, false)'],
  ],
  ["session_state", "SET of a quoted setting", ["SET", '"search_path" = "evil", public']],
  [
    "session_state",
    "pg_catalog.set_config with E'' strings",
    ["SELECT", "pg_catalog.set_config(E'role', E'postgres', false)"],
  ],
  ["cluster_wide", "CREATE ROLE with a quoted mixed-case name", ["CREATE ROLE", `"FC_Role_${NAME}"`]],
  ["cluster_wide", "ALTER ROLE of a quoted name", ["ALTER ROLE", '"postgres" SUPERUSER']],
  ["cluster_wide", "GRANT of a quoted role", ["GRANT", '"pg_read_server_files" TO PUBLIC']],
  ["non_transactional", "VACUUM of a quoted table", ["VACUUM", `"${TABLE}"`]],
  [
    "non_transactional",
    "CREATE INDEX CONCURRENTLY with quoted names",
    ["CREATE INDEX CONCURRENTLY", `"fc_idx_${NAME}" ON "${TABLE}" ("id")`],
  ],
  [
    "sequence",
    "quoted nextval of a dollar-quoted name",
    ["SELECT", `"nextval"($$${PREEXISTING_SEQUENCE}$$)`],
  ],
  [
    "sequence",
    "nextval of an E'' name",
    ["SELECT", `nextval(E'${PREEXISTING_SEQUENCE.replace("_", "\\x5f")}')`],
  ],
  [
    "sequence",
    "pg_catalog.setval of a quoted name in dollar quotes",
    ["SELECT", `pg_catalog.setval($q$${QUOTED_SEQUENCE}$q$, 5000)`],
  ],
  // Quoted identifiers holding what a text splitter or stripper acts on: `;`, `--`, `/*`, `'`, `""`.
  ["transaction_control", "SAVEPOINT of a name holding a semicolon", ["SAVEPOINT", '"fc;sp"']],
  [
    "transaction_control",
    "SAVEPOINT named like a comment, rolled back to on the same line",
    ["SAVEPOINT", '"--fc"; ROLLBACK TO SAVEPOINT "--fc"'],
  ],
  [
    "transaction_control",
    "PREPARE TRANSACTION with a dollar-quoted gid",
    ["PREPARE TRANSACTION", "$$fc-escape$$"],
  ],
  ["transaction_control", "COMMIT PREPARED of an E'' gid", ["COMMIT PREPARED", "E'fc\x2descape'"]],
  ["transaction_control", "CALL of a quoted procedure", ["CALL", '"fc_commit_proc"()']],
  [
    "transaction_control",
    "SET SESSION CHARACTERISTICS of two modes",
    ["SET SESSION CHARACTERISTICS", "AS TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE"],
  ],
  [
    "non_transactional",
    "CREATE DATABASE of a name holding a semicolon",
    ["CREATE DATABASE", `"fc db;${NAME}"`],
  ],
  [
    "non_transactional",
    "ALTER SYSTEM of a quoted setting",
    ["ALTER SYSTEM", `SET "log_statement" = $$none$$`],
  ],
  ["non_transactional", "LISTEN on a channel named like a comment", ["LISTEN", '"fc/*chan"']],
  ["non_transactional", "NOTIFY with a dollar-quoted payload", ["NOTIFY", '"fc--chan", $$x;y$$']],
  [
    "non_transactional",
    "CREATE INDEX CONCURRENTLY of a name with a doubled quote",
    ["CREATE INDEX CONCURRENTLY", `"fc""idx;${NAME}" ON ${TABLE} (id)`],
  ],
  ["cluster_wide", "CREATE ROLE of a name holding an apostrophe", ["CREATE ROLE", `"fc'role${NAME}"`]],
  ["side_channel", "COPY TO PROGRAM in dollar quotes", ["COPY", "(SELECT 1) TO PROGRAM $cmd$id$cmd$"]],
  ["side_channel", "COPY TO PROGRAM in an E'' string", ["COPY", "(SELECT ';') TO PROGRAM E'\x69d'"]],
  ["opaque_code", "DO block with a tagged body", ["DO", "$fc$ BEGIN COMMIT; END $fc$"]],
  ["opaque_code", "DO block in an E'' string", ["DO", "LANGUAGE plpgsql E'BEGIN\n  COMMIT;\nEND'"]],
];

/** The spellings an entry's own text uses: quotes, dollar quotes, E'' strings. */
function spellingsOfText(text: string): SpellingClass[] {
  const found: SpellingClass[] = [];
  if (text.includes('"')) found.push("quoted-identifier");
  if (/\$\w*\$/u.test(text)) found.push("dollar-quote");
  if (text.includes("E'")) found.push("e-string");
  if (/"[^"]*[;'/-][^"]*"/u.test(text) || /\$\w*\$[^$]*;/u.test(text)) found.push("semicolon-in-string");
  return found;
}

/** The first word is a keyword (it takes the drawn case); the rest is kept byte for byte. */
export const spelled: fc.Arbitrary<Escape> = pick(...SPELLED).map(([cls, what, [head = "", ...rest]]) => ({
  ...esc(cls, what, stmt(...head.split(" "), ...rest.map(lit))),
  spellings: spellingsOfText(rest.join(" ")),
}));
