/**
 * Escapes of the other tables spelled the ways a classifier that matches text instead of parsing
 * misses: quoted identifiers ("pg_read_file"), schema-qualified names, dollar-quoted and E''
 * strings (E'\x2fetc' is '/etc'). PostgreSQL's parser reads each as the plain spelling.
 */
import type fc from "fast-check";
import { PREEXISTING_SEQUENCE } from "./sequence.js";
import { esc, lit, NAME, pick, stmt, TABLE, type Escape, type EscapeClass } from "../words.js";

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
];

/** The first word is a keyword (it takes the drawn case); the rest is kept byte for byte. */
export const spelled: fc.Arbitrary<Escape> = pick(...SPELLED).map(([cls, what, [head = "", ...rest]]) =>
  esc(cls, what, stmt(...head.split(" "), ...rest.map(lit))),
);
