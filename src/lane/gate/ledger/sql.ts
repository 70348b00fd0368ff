import type { GateVerdict } from "../../codec/documents.js";
import type { SqlValue } from "../../db/session.js";
import { LEDGER_SCHEMA } from "./migrations.js";
import type { AuditEntry, GrantUse } from "./types.js";

/** The ledger's statements. Values always travel as parameters; only placeholders are generated. */

export interface Statement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** One INSERT for all grants of an ALLOW ($1..$3 are shared, then a pair per grant). */
export function insertNonces(
  requestId: string,
  packetId: string,
  action: string,
  grants: readonly GrantUse[],
): Statement {
  const rows: string[] = [];
  const params: SqlValue[] = [requestId, packetId, action];
  for (const grant of grants) {
    rows.push(`($${params.length + 1}, $${params.length + 2}, $2, $3, $1)`);
    params.push(grant.grantId, grant.nonce);
  }
  return {
    sql: `INSERT INTO ${LEDGER_SCHEMA}.consumed_nonces (grant_id, nonce, packet_id, action, request_id)
      VALUES ${rows.join(", ")}`,
    params,
  };
}

export interface AuditFields {
  readonly requestId: string | null;
  readonly verdict: GateVerdict;
  readonly reasons: readonly string[];
  readonly action: string | null;
  readonly packetId: string | null;
  readonly permitId: string | null;
}

// SqlValue has no arrays, so the codes travel space-separated; they are [a-z_] only (checked in
// fields.ts and again by the table's CHECK), and string_to_array('', ' ') is '{}'.
const INSERT_AUDIT_SQL = `INSERT INTO ${LEDGER_SCHEMA}.audit_log
  (request_id, verdict, reasons, action, packet_id, permit_id)
  VALUES ($1, $2, string_to_array($3, ' '), $4, $5, $6)`;

function auditParams(fields: AuditFields): SqlValue[] {
  return [
    fields.requestId,
    fields.verdict,
    fields.reasons.join(" "),
    fields.action,
    fields.packetId,
    fields.permitId,
  ];
}

export function insertAudit(fields: AuditFields): Statement {
  return { sql: INSERT_AUDIT_SQL, params: auditParams(fields) };
}

const AUDIT_PARAMS_PER_ROW = 6;
/** PostgreSQL takes at most 65,535 parameters in one statement. */
export const MAX_AUDIT_ROWS_PER_INSERT = Math.floor(65_535 / AUDIT_PARAMS_PER_ROW);

/**
 * Several audit entries in one INSERT: one statement, so one implicit transaction, all rows or
 * none (group commit, group-commit.ts). Rows get their ids in the order given.
 */
export function insertAuditBatch(entries: readonly AuditFields[]): Statement {
  if (entries.length === 0 || entries.length > MAX_AUDIT_ROWS_PER_INSERT)
    throw new TypeError(`ledger: an audit batch holds 1 to ${MAX_AUDIT_ROWS_PER_INSERT} entries`);
  const rows: string[] = [];
  const params: SqlValue[] = [];
  for (const fields of entries) {
    const n = params.length;
    rows.push(`($${n + 1}, $${n + 2}, string_to_array($${n + 3}, ' '), $${n + 4}, $${n + 5}, $${n + 6})`);
    params.push(...auditParams(fields));
  }
  return {
    sql: `INSERT INTO ${LEDGER_SCHEMA}.audit_log
  (request_id, verdict, reasons, action, packet_id, permit_id)
  VALUES ${rows.join(", ")}`,
    params,
  };
}

/** What an entry weighs in a batch: its parameters' characters (all ASCII, checked in fields.ts). */
export function auditEntrySize(fields: AuditFields): number {
  // A null still costs its place in the statement and the row its header.
  let size = 24;
  for (const value of auditParams(fields)) size += typeof value === "string" ? value.length : 0;
  return size;
}

export const IS_CONSUMED_SQL = `SELECT 1 FROM ${LEDGER_SCHEMA}.consumed_nonces WHERE nonce = $1`;

export const CONSUMED_COUNT_SQL = `SELECT count(*)::text AS n FROM ${LEDGER_SCHEMA}.consumed_nonces`;

// Everything converted to text in SQL so pg and PGlite (whose default parsers differ for bigint,
// timestamptz and arrays) hand back the same strings.
// Both ORDER BYs name seq, the bigint: "id" is the text alias here and would sort "10" before "9".
export const AUDIT_ENTRIES_SQL = `SELECT id, at, request_id, verdict, reasons, action, packet_id, permit_id
  FROM (SELECT id::text AS id,
               to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
               request_id, verdict, array_to_string(reasons, ' ') AS reasons,
               action, packet_id, permit_id, id AS seq
        FROM ${LEDGER_SCHEMA}.audit_log ORDER BY seq DESC LIMIT $1) AS newest
  ORDER BY seq`;

function text(row: Record<string, unknown>, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw new TypeError(`ledger: audit_log.${column} is not text`);
  return value;
}

function textOrNull(row: Record<string, unknown>, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

function verdict(value: string): GateVerdict {
  switch (value) {
    case "ALLOW":
    case "HOLD":
    case "DENY":
      return value;
    default:
      throw new TypeError("ledger: audit_log.verdict is not a verdict");
  }
}

export function auditEntryFromRow(row: Record<string, unknown>): AuditEntry {
  const reasons = text(row, "reasons");
  return {
    id: text(row, "id"),
    at: text(row, "at"),
    requestId: textOrNull(row, "request_id"),
    verdict: verdict(text(row, "verdict")),
    reasons: reasons === "" ? [] : reasons.split(" "),
    action: textOrNull(row, "action"),
    packetId: textOrNull(row, "packet_id"),
    permitId: textOrNull(row, "permit_id"),
  };
}
