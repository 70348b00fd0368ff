import type { SqlDatabase, SqlSession } from "../db/session.js";
import type { CloneBackend } from "./clone/backend.js";
import type { Digest } from "./components.js";
import type { DatabaseDigest } from "./digest/types.js";
import type { RehearsalObservation } from "./validate.js";
import { readSequences, restoreSequences } from "./sequences.js";

export interface RunInput {
  readonly backend: CloneBackend;
  readonly migration: string;
  readonly statementTimeoutMs: number;
  readonly compareCluster: boolean;
  /** C5: how the run digests the clone (the shipped digestDatabase unless a test swapped it). */
  readonly digest: Digest;
}

/** A run's observation and the clone connection it leaves open (snapshot mode reopens it). */
export interface RunOutput {
  readonly observation: RehearsalObservation;
  readonly db: SqlDatabase | undefined;
}

interface Digests {
  before?: DatabaseDigest;
  afterApply?: DatabaseDigest;
  afterRollback?: DatabaseDigest;
  digestFailed: boolean;
}

async function take(
  digest: Digest,
  session: SqlSession,
  into: Digests,
  key: "before" | "afterApply" | "afterRollback",
): Promise<void> {
  const result = await digest(session);
  if (result.ok) into[key] = result.value;
  else into.digestFailed = true;
}

async function limitStatements(session: SqlSession, ms: number): Promise<void> {
  await session.query("SELECT pg_catalog.set_config('statement_timeout', $1, true)", [String(ms)]);
}

async function currentXactId(session: SqlSession): Promise<string> {
  const rows = await session.query("SELECT pg_catalog.pg_current_xact_id()::text AS xid");
  return String(rows.rows[0]?.xid);
}

/**
 * C3: digest before; one connection: BEGIN, apply, digest after_apply, ROLLBACK; digest
 * after_rollback from a fresh session. The transaction id is read before and after the migration:
 * if it moved, something committed or rolled back inside the script, and the run has escaped.
 */
export async function runTransactional(db: SqlDatabase, input: RunInput): Promise<RunOutput> {
  const digests: Digests = { digestFailed: false };
  let serverError = false;
  let escaped = false;
  await take(input.digest, db, digests, "before");
  const sequences = await db.withSession(readSequences);
  await db.withSession(async (session) => {
    await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    try {
      await limitStatements(session, input.statementTimeoutMs);
      const xid = await currentXactId(session);
      try {
        await session.exec(input.migration);
      } catch {
        serverError = true;
        return;
      }
      escaped = (await currentXactId(session)) !== xid;
      await take(input.digest, session, digests, "afterApply");
    } finally {
      await session.query("ROLLBACK");
    }
  });
  await db.withSession((fresh) => take(input.digest, fresh, digests, "afterRollback"), { fresh: true });
  const restoreFailed = !(await repairSequences(db, input.digest, digests, sequences));
  return {
    db,
    observation: { ...digests, serverError, escaped, restoreFailed, compareCluster: input.compareCluster },
  };
}

/**
 * after_rollback keeps the drift for the validator to see (sequence_drift); then the clone is put
 * back: sequences reset to their `before` state, and the clone must digest to `before` again.
 * False when that did not work: the clone is not as it was, and the rehearsal says so.
 */
async function repairSequences(
  db: SqlDatabase,
  digest: Digest,
  digests: Digests,
  sequences: Awaited<ReturnType<typeof readSequences>>,
): Promise<boolean> {
  const { before, afterRollback } = digests;
  if (before === undefined || afterRollback === undefined || afterRollback.digest === before.digest)
    return true;
  try {
    await db.withSession((session) => restoreSequences(session, sequences));
    const repaired = await digest(db);
    return repaired.ok && repaired.value.digest === before.digest;
  } catch {
    return false;
  }
}

/**
 * C4: digest before, snapshot, apply and commit, digest after_apply, restore, digest
 * after_rollback. The clone is closed around snapshot and restore. A failed snapshot applies
 * nothing; a failed restore keeps the snapshot for an operator and fails the rehearsal.
 */
export async function runSnapshotRestore(opened: SqlDatabase, input: RunInput): Promise<RunOutput> {
  const digests: Digests = { digestFailed: false };
  const output = (db: SqlDatabase | undefined, extra: Partial<RehearsalObservation>): RunOutput => ({
    db,
    observation: {
      ...digests,
      serverError: false,
      escaped: false,
      restoreFailed: false,
      compareCluster: input.compareCluster,
      ...extra,
    },
  });
  await take(input.digest, opened, digests, "before");
  await opened.close();
  let snapshot;
  try {
    snapshot = await input.backend.snapshot();
  } catch {
    return output(await input.backend.open(), { restoreFailed: true });
  }
  let db = await input.backend.open();
  let serverError = false;
  await db.withSession(async (session) => {
    await session.query("BEGIN");
    try {
      await limitStatements(session, input.statementTimeoutMs);
      await session.exec(input.migration);
      await session.query("COMMIT");
    } catch {
      serverError = true;
      await session.query("ROLLBACK").catch(() => undefined);
    }
  });
  // After a server error nothing was committed: there is no applied state to digest.
  if (!serverError) await take(input.digest, db, digests, "afterApply");
  await db.close();
  try {
    await input.backend.restore(snapshot);
  } catch {
    return output(undefined, { serverError, restoreFailed: true });
  }
  db = await input.backend.open();
  // The snapshot is a database on a real server: it must be gone before the cluster is compared.
  await input.backend.discard(snapshot).catch(() => undefined);
  await take(input.digest, db, digests, "afterRollback");
  return output(db, { serverError });
}
