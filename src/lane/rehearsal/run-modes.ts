import type { SqlDatabase, SqlSession } from "../db/session.js";
import type { CloneBackend, Snapshot } from "./clone/backend.js";
import type { Digest, TakeBack } from "./components.js";
import type { DatabaseDigest } from "./digest/types.js";
import type { RehearsalObservation } from "./validate.js";
import { readSequences, restoreSequences, type SequenceState } from "./sequences.js";
import { MigrationDeadlineError, migrationDeadline, stopFromOutside } from "./session/deadline.js";
import { markSession, resetSession } from "./session/reset.js";
import { sessionIsSane } from "./session/settings.js";

/** What the lane records durably just before the migration runs (crash-safe rehearsal). */
export type Applying =
  | { readonly mode: "transactional"; readonly sequences: readonly SequenceState[] }
  | { readonly mode: "snapshot_restore"; readonly snapshot: Snapshot };

export interface RunInput {
  readonly backend: CloneBackend;
  readonly migration: string;
  readonly statementTimeoutMs: number;
  readonly compareCluster: boolean;
  /** C5: how the run digests the clone (the shipped digestDatabase unless a test swapped it). */
  readonly digest: Digest;
  /** C3: takes the migration's session back before the lane reads from it. */
  readonly takeBack: TakeBack;
  /**
   * Called once `before` is known and just before the migration runs; it must record durably
   * that the clone is about to change (a throw stops the run before anything is applied).
   */
  readonly beforeApply: (before: DatabaseDigest, applying: Applying) => Promise<void>;
  /**
   * Called with `before` before anything else happens (no snapshot taken yet); a throw stops the
   * run (the clone is not the one the lane recorded as clean).
   */
  readonly checkBefore: (before: DatabaseDigest) => Promise<void>;
  /**
   * Transactional only: `before` already known, because the previous run left this very
   * connection proven equal to it and nothing else can have written to the clone since (the
   * lane's own PGlite backend, RunOutput.kept). checkBefore still sees it.
   */
  readonly knownBefore?: DatabaseDigest;
}

/** A run's observation and the clone connection it leaves open (every mode reopens it). */
export interface RunOutput {
  readonly observation: RehearsalObservation;
  readonly db: SqlDatabase | undefined;
  /** A snapshot the run could not remove (reported by the lane, cleaned at the next start). */
  readonly leftover?: string;
  /** The clone was proven equal to `before` once the run was over. */
  readonly clean: boolean;
  /**
   * The run kept `db` (the connection it was given, whose session was reset and proven clean),
   * and the clone is exactly `before`: the next transactional run on `db` may take `before` as
   * known (RunInput.knownBefore). False whenever the clone was reopened.
   */
  readonly kept: boolean;
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
  try {
    const result = await digest(session);
    if (result.ok) into[key] = result.value;
    else into.digestFailed = true;
  } catch {
    // A digest that could not even start (the connection is gone) is a failed digest.
    into.digestFailed = true;
  }
}

async function limitStatements(session: SqlSession, ms: number): Promise<void> {
  await session.query("SELECT pg_catalog.set_config('statement_timeout', $1, true)", [String(ms)]);
}

async function currentXactId(session: SqlSession): Promise<string> {
  const rows = await session.query("SELECT pg_catalog.pg_current_xact_id()::pg_catalog.text AS xid");
  return String(rows.rows[0]?.xid);
}

/**
 * Ends a session a migration ran in: ROLLBACK sent as a script (PGlite answers a script even when
 * a migration desynchronised its protocol), never throwing, since the session may already be gone.
 */
async function rollbackQuietly(session: SqlSession): Promise<boolean> {
  return session.exec("ROLLBACK").then(
    () => true,
    () => false,
  );
}

/**
 * C3: digest before; one connection: BEGIN, apply, take the session back (deferred constraints
 * checked now, every setting the migration could have changed reset), digest after_apply,
 * ROLLBACK; digest after_rollback from a session proven to hold nothing of the migration's (below).
 * The transaction id is read before and
 * after the migration: if it moved, something committed or rolled back inside the script, and the
 * run has escaped. The migration's session is not handed on as it is: on PGlite's one backend it is
 * reset (session/reset.ts) and kept when it is still the lane's to reset: the script did not
 * escape its transaction, was not stopped at the deadline (on PGlite the statement may still be
 * running), the session did not die, ROLLBACK answered, and the reset and the proof that
 * nothing is left and no code was loaded both passed. A script that failed with a server error
 * is kept on the same proof: it can leave nothing in the session that a script which succeeded
 * could not. Otherwise, and on a real server, the clone is reopened (there every session is a
 * new connection anyway). Sequences (which ignore ROLLBACK) are put back in `finally`, whatever
 * happened after the migration started; a kept session in which they were put back is reset and
 * proven again (setval leaves currval behind), and reopened if that fails.
 */
export async function runTransactional(opened: SqlDatabase, input: RunInput): Promise<RunOutput> {
  const digests: Digests = { digestFailed: false };
  let serverError = false;
  let escaped = false;
  if (input.knownBefore === undefined) await take(input.digest, opened, digests, "before");
  else digests.before = input.knownBefore;
  const before = digests.before;
  if (before === undefined) return transactionalOutput(opened, digests, input, { serverError, escaped });
  await input.checkBefore(before);
  const sequences = await opened.withSession(readSequences);
  const mark = await markSession(opened);
  await input.beforeApply(before, { mode: "transactional", sequences });
  let db: SqlDatabase | undefined = opened;
  let restoreFailed = false;
  let kept = false;
  // The session is no longer the lane's to reset: stopped at the deadline, dead, or still in
  // the migration's transaction.
  let lost = false;
  try {
    await opened
      .withSession(async (session) => {
        await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
        try {
          await limitStatements(session, input.statementTimeoutMs);
          const xid = await currentXactId(session);
          const deadline = migrationDeadline(
            input.statementTimeoutMs,
            await stopFromOutside(opened.engine, session, () => input.backend.open()),
          );
          try {
            await deadline.run(() => session.exec(input.migration));
            // Deferred constraints and constraint triggers fail here if COMMIT would reject them,
            // on the migration's clock: they are its code.
            await deadline.run(() => input.takeBack(session, input.statementTimeoutMs));
          } catch (error) {
            serverError = true;
            if (error instanceof MigrationDeadlineError) lost = true;
            return;
          }
          // A session that does not answer as the lane set it is not one to read the clone from.
          if (!(await sessionIsSane(session))) {
            serverError = true;
            return;
          }
          escaped = (await currentXactId(session)) !== xid;
          await take(input.digest, session, digests, "afterApply");
        } finally {
          if (!(await rollbackQuietly(session))) {
            serverError = true;
            lost = true;
          }
        }
      })
      .catch(() => {
        // The session died under the migration (terminated from inside, past its deadline).
        serverError = true;
        lost = true;
      });
  } finally {
    // Nothing the migration's session held (locks, prepared statements, settings, temporary
    // objects, loaded code) may reach the next reader: the session is reset and proven empty, or
    // it ends here.
    const resettable = !lost && !escaped && !digests.digestFailed;
    kept = resettable && mark !== undefined && (await resetSession(opened, mark));
    db = kept ? opened : await reopen(opened, input.backend);
    if (db !== undefined) {
      await take(input.digest, db, digests, "afterRollback");
      restoreFailed = !(await repairSequences(db, input.digest, before, digests.afterRollback, sequences));
      if (kept && digests.afterRollback?.digest !== before.digest) {
        // The sequences were put back on this session (repairSequences proved the clone equal to
        // `before`), and setval left their values as its currval: reset and prove it again.
        kept = !restoreFailed && mark !== undefined && (await resetSession(db, mark));
        if (!kept) db = await reopen(db, input.backend);
      }
    } else {
      restoreFailed = true;
    }
  }
  return transactionalOutput(db, digests, input, {
    serverError,
    escaped,
    restoreFailed,
    clean: !restoreFailed,
    kept: kept && !restoreFailed,
  });
}

function transactionalOutput(
  db: SqlDatabase | undefined,
  digests: Digests,
  input: RunInput,
  flags: { serverError: boolean; escaped: boolean; restoreFailed?: boolean; clean?: boolean; kept?: boolean },
): RunOutput {
  return {
    db,
    clean: flags.clean ?? false,
    kept: flags.kept ?? false,
    observation: {
      ...digests,
      serverError: flags.serverError,
      escaped: flags.escaped,
      restoreFailed: flags.restoreFailed ?? false,
      compareCluster: input.compareCluster,
    },
  };
}

/** Closes the clone (ending every session on it) and opens it again; undefined if it cannot. */
async function reopen(db: SqlDatabase, backend: CloneBackend): Promise<SqlDatabase | undefined> {
  await db.close().catch(() => undefined);
  return backend.open().catch(() => undefined);
}

/**
 * after_rollback keeps any drift for the validator to see (sequence_drift); then the clone is put
 * back: every sequence reset to its `before` state (always, not only when the digest shows drift:
 * a digest that failed shows nothing), and the clone must digest to `before` again. False when
 * that did not work: the clone is not as it was, and the rehearsal says so.
 */
async function repairSequences(
  db: SqlDatabase,
  digest: Digest,
  before: DatabaseDigest,
  afterRollback: DatabaseDigest | undefined,
  sequences: readonly SequenceState[],
): Promise<boolean> {
  try {
    await db.withSession((session) => restoreSequences(session, sequences));
    if (afterRollback?.digest === before.digest) return true;
    const repaired = await digest(db);
    return repaired.ok && repaired.value.digest === before.digest;
  } catch {
    return false;
  }
}

/**
 * C4: digest before, snapshot, apply and commit, digest after_apply, restore, digest
 * after_rollback. The clone is closed around snapshot and restore. after_apply is read on the
 * migration's instance once its session is reset and proven to hold nothing of the migration's
 * (session/reset.ts, as a kept transactional session), otherwise from a fresh one. The restore runs in `finally`: whatever fails
 * after the snapshot was taken, the clone is put back. A failed snapshot applies nothing; a
 * failed restore keeps the snapshot for the recovery at the next start (crash-safe rehearsal).
 */
export async function runSnapshotRestore(opened: SqlDatabase, input: RunInput): Promise<RunOutput> {
  const digests: Digests = { digestFailed: false };
  let serverError = false;
  const output = (
    db: SqlDatabase | undefined,
    extra: Partial<RehearsalObservation>,
    leftover?: string,
  ): RunOutput => ({
    db,
    kept: false,
    clean:
      db !== undefined &&
      extra.restoreFailed !== true &&
      digests.afterRollback !== undefined &&
      digests.afterRollback.digest === digests.before?.digest,
    ...(leftover === undefined ? {} : { leftover }),
    observation: {
      ...digests,
      serverError,
      escaped: false,
      restoreFailed: false,
      compareCluster: input.compareCluster,
      ...extra,
    },
  });
  await take(input.digest, opened, digests, "before");
  const before = digests.before;
  if (before === undefined) return output(opened, {});
  await input.checkBefore(before);
  await opened.close();
  let snapshot: Snapshot;
  try {
    snapshot = await input.backend.snapshot();
  } catch {
    return output(await input.backend.open(), { restoreFailed: true });
  }
  let restored = false;
  try {
    await input.beforeApply(before, { mode: "snapshot_restore", snapshot });
    const applied = await input.backend.open();
    // The applied clone is digested on this very instance when its session can be proven the
    // lane's again after the migration (as a kept transactional session is): a boot saved.
    let afterApplyOn: SqlDatabase | undefined;
    try {
      // A mark that cannot be read only costs the fresh session below.
      const mark = await markSession(applied).catch(() => undefined);
      await applied.withSession(async (session) => {
        await session.exec("BEGIN");
        try {
          await limitStatements(session, input.statementTimeoutMs);
          const deadline = migrationDeadline(
            input.statementTimeoutMs,
            await stopFromOutside(applied.engine, session, () => input.backend.open()),
          );
          await deadline.run(() => session.exec(input.migration));
          // COMMIT runs the deferred constraints and constraint triggers: the migration's code.
          await deadline.run(() => session.exec("COMMIT"));
        } catch {
          serverError = true;
          await rollbackQuietly(session);
        }
      });
      // After a server error nothing was committed: there is no applied state to digest.
      if (!serverError && mark !== undefined && (await resetSession(applied, mark))) afterApplyOn = applied;
      if (afterApplyOn !== undefined) await take(input.digest, afterApplyOn, digests, "afterApply");
    } catch {
      serverError = true;
    } finally {
      // The migration's session ends here (the directory is restored under it next).
      await applied.close().catch(() => undefined);
    }
    // A session that could not be proven the lane's (code loaded, something left in it, a real
    // server): after_apply is read from a fresh one.
    if (!serverError && afterApplyOn === undefined) {
      const fresh = await input.backend.open();
      try {
        await take(input.digest, fresh, digests, "afterApply");
      } finally {
        await fresh.close().catch(() => undefined);
      }
    }
  } catch {
    serverError = true;
  } finally {
    try {
      await input.backend.restore(snapshot);
      restored = true;
    } catch {
      restored = false;
    }
  }
  if (!restored) return output(undefined, { restoreFailed: true });
  const db = await input.backend.open();
  // The snapshot is a database on a real server: it must be gone before the cluster is compared.
  const leftover = await input.backend.discard(snapshot).then(
    () => undefined,
    () => snapshot.id,
  );
  await take(input.digest, db, digests, "afterRollback");
  return output(db, {}, leftover);
}
