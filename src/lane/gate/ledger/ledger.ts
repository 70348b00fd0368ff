import { FailclosedError } from "../../../kernel/errors.js";
import type { SqlDatabase, SqlSession } from "../../db/session.js";
import { assertNever, err, ok } from "../../../kernel/result.js";
import type { Result } from "../../../kernel/result.js";
import type { Action } from "../../codec/documents.js";
import {
  MAX_GRANTS,
  checkAction,
  checkIdentifier,
  checkNonce,
  checkPacketId,
  checkReasons,
} from "./fields.js";
import { migrateLedger } from "./migrate.js";
import { CONSUMED_UNIQUE_CONSTRAINTS } from "./migrations.js";
import { groupCommit, type AppendOutcome, type GroupCommit, type GroupCommitLimits } from "./group-commit.js";
import {
  AUDIT_ENTRIES_SQL,
  CONSUMED_COUNT_SQL,
  IS_CONSUMED_SQL,
  MAX_AUDIT_ROWS_PER_INSERT,
  auditEntryFromRow,
  auditEntrySize,
  insertAudit,
  insertAuditBatch,
  insertNonces,
} from "./sql.js";
import type { AuditFields } from "./sql.js";
import { UNIQUE_VIOLATION, isRetryable, sqlState, violatedConstraint } from "./sql-error.js";
import type {
  AllowEntry,
  AuditEntry,
  CommitControl,
  CommitAllowError,
  GrantUse,
  Ledger,
  LedgerHooks,
  LedgerOptions,
  RecordRefusalError,
  RefusalEntry,
} from "./types.js";

export type * from "./types.js";
export { LEDGER_SCHEMA } from "./migrations.js";
export { LEDGER_SCHEMA_VERSION } from "./migrate.js";

/**
 * The gate's state in PostgreSQL (G5, G8): consumed grant nonces and an append-only audit log.
 * Uniqueness is decided by the database's unique indexes, never by a read-then-write here, so it
 * holds across concurrent requests, processes and gates sharing one server.
 */

// A deadlock between two ALLOWs sharing grants makes the server abort one; running it again then
// meets the winner's committed row and reports "replayed" instead of a spurious internal_error.
const MAX_ATTEMPTS = 3;
const DEFAULT_AUDIT_LIMIT = 100;

/**
 * Group commit of refusals (issue #17). 256 entries of at most about 0.5 KB each make one INSERT
 * of a few milliseconds; 64 writes' worth may wait (far more than a gate has in flight) before
 * a refusal is answered DENY internal_error at once rather than queueing without end.
 */
export const AUDIT_BATCH_DEFAULTS: GroupCommitLimits = Object.freeze({
  maxEntries: 256,
  maxBytes: 256 * 1024,
  maxQueued: 256 * 64,
});

type AllowOutcome = "committed" | "replayed" | "internal_error";

/** An ALLOW whose every field passed the guards, its grants sorted by nonce. */
interface CheckedAllow {
  readonly audit: AuditFields;
  readonly requestId: string;
  readonly packetId: string;
  readonly action: Action;
  readonly grants: readonly GrantUse[];
}

/** Inserts in nonce order, so two ALLOWs sharing nonces lock them in the same order and rarely deadlock. */
function byNonce(a: GrantUse, b: GrantUse): number {
  return a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0;
}

function checkAllow(entry: AllowEntry): CheckedAllow {
  const grants: unknown = entry.grants;
  if (!Array.isArray(grants) || grants.length === 0 || grants.length > MAX_GRANTS) {
    throw new TypeError(`ledger: grants is not a list of 1 to ${MAX_GRANTS} grants`);
  }
  const checked = entry.grants.map((grant, i): GrantUse => ({
    grantId: checkIdentifier(`grants[${i}].grantId`, grant.grantId),
    nonce: checkNonce(`grants[${i}].nonce`, grant.nonce),
  }));
  const requestId = checkIdentifier("requestId", entry.requestId);
  const packetId = checkPacketId("packetId", entry.packetId);
  const action = checkAction("action", entry.action);
  const audit: AuditFields = {
    requestId,
    verdict: "ALLOW",
    reasons: checkReasons("reasons", entry.reasons, 0),
    action,
    packetId,
    permitId: checkIdentifier("permitId", entry.permitId),
  };
  return { audit, requestId, packetId, action, grants: checked.sort(byNonce) };
}

function checkRefusal(entry: RefusalEntry): AuditFields {
  const verdict = entry.verdict;
  // Not assertNever: its message would echo whatever a buggy caller passed (G7).
  if (verdict !== "HOLD" && verdict !== "DENY") throw new TypeError("ledger: verdict is not HOLD or DENY");
  return {
    requestId: entry.requestId === undefined ? null : checkIdentifier("requestId", entry.requestId),
    verdict,
    reasons: checkReasons("reasons", entry.reasons, 1),
    action: entry.action === undefined ? null : checkAction("action", entry.action),
    packetId: entry.packetId === undefined ? null : checkPacketId("packetId", entry.packetId),
    permitId: null,
  };
}

function isConsumedConflict(error: unknown): boolean {
  const constraint = violatedConstraint(error);
  return (
    sqlState(error) === UNIQUE_VIOLATION &&
    constraint !== undefined &&
    CONSUMED_UNIQUE_CONSTRAINTS.includes(constraint)
  );
}

async function allowTransaction(
  session: SqlSession,
  allow: CheckedAllow,
  hooks: LedgerHooks,
  control: CommitControl,
): Promise<AllowOutcome> {
  const nonces = insertNonces(allow.requestId, allow.packetId, allow.action, allow.grants);
  const entry = insertAudit(allow.audit);
  await session.exec("BEGIN");
  try {
    await session.query(nonces.sql, nonces.params);
    await hooks.afterNoncesInserted?.();
    await session.query(entry.sql, entry.params);
    // The caller's last word, synchronously before COMMIT is sent: past its deadline it says no.
    if (control.beforeCommit?.() === false) throw new Error("the decision's deadline passed before COMMIT");
    await session.exec("COMMIT");
    return "committed";
  } catch (error) {
    // If ROLLBACK itself fails it throws: withSession then discards the pg connection, and the
    // caller turns the throw into internal_error.
    await session.exec("ROLLBACK");
    if (isConsumedConflict(error)) return "replayed";
    throw error;
  }
}

async function runAllow(
  db: SqlDatabase,
  allow: CheckedAllow,
  hooks: LedgerHooks,
  control: CommitControl,
): Promise<AllowOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.withSession((session) => allowTransaction(session, allow, hooks, control));
    } catch (error) {
      // Anything else (lost connection, a failed COMMIT, a broken hook) is a DENY: G6. If a COMMIT
      // did reach the server before the connection died, the grants are burnt but nothing was
      // allowed, which is the safe side.
      if (attempt < MAX_ATTEMPTS && isRetryable(error)) continue;
      return "internal_error";
    }
  }
}

/** The refusals' audit writer: one INSERT per batch, one implicit transaction each. */
function auditWriter(db: SqlDatabase, limits: Partial<GroupCommitLimits> = {}): GroupCommit<AuditFields> {
  return groupCommit(
    async (batch) => {
      // One row alone keeps the fixed statement text (one plan, the common case when idle).
      const statement =
        batch.length === 1 && batch[0] !== undefined ? insertAudit(batch[0]) : insertAuditBatch(batch);
      await db.query(statement.sql, statement.params);
    },
    auditEntrySize,
    { ...AUDIT_BATCH_DEFAULTS, ...definedOnly(limits) },
    MAX_AUDIT_ROWS_PER_INSERT,
  );
}

/** A limit given as undefined keeps its default rather than erasing it. */
function definedOnly(limits: Partial<GroupCommitLimits>): Partial<GroupCommitLimits> {
  const out: { -readonly [K in keyof GroupCommitLimits]?: number } = {};
  if (limits.maxEntries !== undefined) out.maxEntries = limits.maxEntries;
  if (limits.maxBytes !== undefined) out.maxBytes = limits.maxBytes;
  if (limits.maxQueued !== undefined) out.maxQueued = limits.maxQueued;
  return out;
}

function recorded(outcome: AppendOutcome): boolean {
  switch (outcome) {
    case "written":
      return true;
    case "write_failed":
    case "queue_full":
      return false;
    default:
      return assertNever(outcome, "append outcome");
  }
}

/** The DENY entry for an ALLOW that could not be committed: same request, no permit (G7). */
function deny(allow: CheckedAllow, reason: "replayed" | "internal_error"): AuditFields {
  return {
    requestId: allow.requestId,
    verdict: "DENY",
    reasons: [reason],
    action: allow.action,
    packetId: allow.packetId,
    permitId: null,
  };
}

async function read<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    throw new FailclosedError("DATABASE_UNAVAILABLE", `cannot read the gate ledger (${what})`, { cause });
  }
}

/** Migrates (DATABASE_MIGRATION_FAILED if it cannot) and returns the ledger. The caller owns db. */
export async function openLedger(db: SqlDatabase, options: LedgerOptions = {}): Promise<Ledger> {
  // Limits are checked before the database is touched.
  const audit = auditWriter(db, options.auditBatch);
  await migrateLedger(db);
  const hooks = options.hooks ?? {};
  return {
    async commitAllow(
      entry: AllowEntry,
      control: CommitControl = {},
    ): Promise<Result<void, CommitAllowError>> {
      const allow = checkAllow(entry);
      const outcome = await runAllow(db, allow, hooks, control);
      switch (outcome) {
        case "committed":
          return ok(undefined);
        case "replayed":
        case "internal_error":
          // Best effort: the verdict is DENY whether or not this entry can be written.
          await audit.append(deny(allow, outcome));
          return err(outcome);
        default:
          return assertNever(outcome, "allow outcome");
      }
    },

    async recordRefusal(entry: RefusalEntry): Promise<Result<void, RecordRefusalError>> {
      const fields = checkRefusal(entry);
      return recorded(await audit.append(fields)) ? ok(undefined) : err("internal_error");
    },

    isConsumed(nonce: string): Promise<boolean> {
      return read("isConsumed", async () => (await db.query(IS_CONSUMED_SQL, [nonce])).rows.length > 0);
    },

    consumedCount(): Promise<number> {
      return read("consumedCount", async () => {
        const n = (await db.query(CONSUMED_COUNT_SQL)).rows[0]?.["n"];
        if (typeof n !== "string") throw new TypeError("ledger: count(*) is not text");
        return Number(n);
      });
    },

    async auditEntries(limit = DEFAULT_AUDIT_LIMIT): Promise<AuditEntry[]> {
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new TypeError("ledger: limit is not a positive integer");
      return read("auditEntries", async () =>
        (await db.query(AUDIT_ENTRIES_SQL, [limit])).rows.map(auditEntryFromRow),
      );
    },
  };
}
