import type { ClassifierRefusalCode } from "./types.js";

/**
 * Functions a migration may not reference (SPEC C2 side channels and their cousins). Names are
 * compared after lowercasing, whatever the schema: PostgreSQL folds unquoted identifiers, and a
 * quoted "DBLINK" or a dblink installed in another schema is refused too, since refusing a
 * look-alike costs nothing while missing the real one would not fail closed.
 *
 * Allowed on purpose: nextval/setval (the validator judges sequences, C6), current_setting,
 * txid_current/pg_current_xact_id (reading the xid is how C3 checks it), pg_advisory_xact_lock*
 * (released by ROLLBACK), pg_sleep.
 */
interface Group {
  readonly code: ClassifierRefusalCode;
  readonly why: string;
  readonly exact: readonly string[];
  /** Whole families: every current and future member shares the hazard. */
  readonly prefixes: readonly string[];
}

const GROUPS: readonly Group[] = [
  {
    code: "side_channel",
    why: "reads or writes files on the database server",
    exact: ["pg_stat_file", "pg_logdir_ls", "lo_import", "lo_export"],
    prefixes: ["pg_read_", "pg_ls_", "pg_file_"],
  },
  {
    // Decision: the whole large-object family, lo_unlink included. Large objects live in
    // pg_largeobject, outside the relations a migration is expected to change, and lo_import /
    // lo_export reach the server's files; no legitimate migration needs them.
    code: "side_channel",
    why: "works on large objects",
    exact: ["loread", "lowrite"],
    prefixes: ["lo_", "be_lo_"],
  },
  {
    code: "side_channel",
    why: "opens connections to other servers",
    exact: [],
    prefixes: ["dblink", "postgres_fdw_"],
  },
  {
    code: "non_transactional",
    why: "emits a notification or message that reaches listeners outside the transaction",
    exact: ["pg_notify", "pg_logical_emit_message"],
    prefixes: [],
  },
  {
    // Extensions already installed in the clone are the database's business, but the one known
    // to run SQL in an autonomous transaction is refused by name.
    code: "non_transactional",
    why: "runs SQL in a separate transaction that ROLLBACK cannot undo",
    exact: [],
    prefixes: ["pg_background_"],
  },
  {
    code: "session_state",
    why: "changes a session setting",
    exact: ["set_config"],
    prefixes: [],
  },
  {
    // Decision: session-level advisory locks are refused because ROLLBACK does not release them;
    // the transaction-level pg_advisory_xact_lock family stays allowed.
    code: "session_state",
    why: "takes or releases a session-level advisory lock, which outlives ROLLBACK",
    exact: [
      "pg_advisory_lock",
      "pg_advisory_lock_shared",
      "pg_try_advisory_lock",
      "pg_try_advisory_lock_shared",
      "pg_advisory_unlock",
      "pg_advisory_unlock_shared",
      "pg_advisory_unlock_all",
    ],
    prefixes: [],
  },
  {
    code: "cluster_wide",
    why: "acts on the server or on other sessions",
    exact: [
      "pg_terminate_backend",
      "pg_cancel_backend",
      "pg_reload_conf",
      "pg_signal_backend",
      "pg_switch_wal",
      "pg_promote",
      "pg_create_restore_point",
      "pg_start_backup",
      "pg_stop_backup",
      "pg_log_backend_memory_contexts",
      "pg_create_physical_replication_slot",
      "pg_create_logical_replication_slot",
      "pg_drop_replication_slot",
      "pg_copy_physical_replication_slot",
      "pg_copy_logical_replication_slot",
      "pg_replication_slot_advance",
      "pg_stat_statements_reset",
    ],
    prefixes: [
      "pg_rotate_logfile",
      "pg_backup_",
      "pg_wal_replay_",
      "pg_replication_origin_",
      "pg_logical_slot_",
      "pg_stat_reset",
      "binary_upgrade_",
    ],
  },
  {
    code: "opaque_code",
    why: "runs SQL held in a string, which the classifier cannot see",
    exact: ["query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "ts_stat", "ts_rewrite"],
    prefixes: [],
  },
];

export interface ForbiddenFunction {
  readonly code: ClassifierRefusalCode;
  readonly why: string;
  /** The list entry that matched (`pg_read_file`, `dblink*`): ours, never the migration's text. */
  readonly label: string;
}

const EXACT = new Map<string, ForbiddenFunction>();
const PREFIXES: ForbiddenFunction[] = [];
for (const group of GROUPS) {
  for (const name of group.exact) EXACT.set(name, { code: group.code, why: group.why, label: name });
  for (const prefix of group.prefixes)
    PREFIXES.push({ code: group.code, why: group.why, label: `${prefix}*` });
}

export function lookupFunction(name: string): ForbiddenFunction | undefined {
  const folded = name.toLowerCase();
  const exact = EXACT.get(folded);
  if (exact !== undefined) return exact;
  return PREFIXES.find((p) => folded.startsWith(p.label.slice(0, -1)));
}
