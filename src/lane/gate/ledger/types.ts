import type { Action, GateReason, GateVerdict } from "../../codec/documents.js";
import type { Result } from "../../../kernel/result.js";
import type { GroupCommitLimits } from "./group-commit.js";

/** One grant an ALLOW uses up: both identifiers become unusable for good. */
export interface GrantUse {
  readonly grantId: string;
  readonly nonce: string;
}

export interface AllowEntry {
  readonly requestId: string;
  readonly packetId: string;
  readonly action: Action;
  readonly permitId: string;
  readonly grants: readonly GrantUse[];
  /** Usually empty for an ALLOW. */
  readonly reasons: readonly GateReason[];
}

export interface RefusalEntry {
  /** Only when the request was well formed (G7). */
  readonly requestId?: string;
  readonly verdict: "HOLD" | "DENY";
  /** At least one fixed code. */
  readonly reasons: readonly GateReason[];
  readonly action?: Action;
  readonly packetId?: string;
}

export type CommitAllowError = "replayed" | "internal_error";
export type RecordRefusalError = "internal_error";

/** A row of the audit log as read back; bigint id and timestamp stay text (no lossy conversion). */
export interface AuditEntry {
  readonly id: string;
  /** UTC, RFC 3339 with microseconds. */
  readonly at: string;
  readonly requestId: string | null;
  readonly verdict: GateVerdict;
  readonly reasons: readonly string[];
  readonly action: string | null;
  readonly packetId: string | null;
  readonly permitId: string | null;
}

/** Fault-injection seams for tests. Production code passes none. */
export interface LedgerHooks {
  /**
   * Runs inside the ALLOW transaction after the nonces are inserted and before the audit entry is.
   * Throwing aborts the transaction. It must not use the database: on PGlite the session lock is held.
   */
  readonly afterNoncesInserted?: () => Promise<void>;
}

export interface LedgerOptions {
  readonly hooks?: LedgerHooks;
  /**
   * Group commit of refusals' audit entries (group-commit.ts): how many, and how many bytes, one
   * INSERT may take, and how many may wait before a refusal is answered DENY internal_error at once.
   * Defaults: AUDIT_BATCH_DEFAULTS.
   */
  readonly auditBatch?: Partial<GroupCommitLimits>;
}

/** How the gate keeps its deadline and the ledger's commit consistent (G6, G8). */
export interface CommitControl {
  /**
   * Called synchronously just before COMMIT is sent. False rolls the transaction back (the
   * decision's deadline has passed); true means the commit is under way and its outcome decides.
   */
  readonly beforeCommit?: () => boolean;
}

export interface Ledger {
  /**
   * G5: consumes every grant's nonce and grant_id and appends the ALLOW entry, all or none, in one
   * transaction. On "replayed" or "internal_error" nothing is consumed and the ledger has already
   * appended the DENY entry itself (best effort): the caller must not record the refusal again.
   * Throws TypeError only when a field is not a validated identifier or code (a programming error).
   */
  commitAllow(entry: AllowEntry, control?: CommitControl): Promise<Result<void, CommitAllowError>>;
  /**
   * G8: a HOLD or DENY appends one audit entry and touches nothing else. Refusals recorded at the
   * same time share one INSERT (group commit); ok only once that INSERT has committed.
   */
  recordRefusal(entry: RefusalEntry): Promise<Result<void, RecordRefusalError>>;
  /** Read-only views for tests, the fuzzer's state oracle and operators. They throw
   * FailclosedError(DATABASE_UNAVAILABLE) when the database cannot answer. */
  isConsumed(nonce: string): Promise<boolean>;
  consumedCount(): Promise<number>;
  /** The newest `limit` entries (default 100), oldest first. */
  auditEntries(limit?: number): Promise<AuditEntry[]>;
}
