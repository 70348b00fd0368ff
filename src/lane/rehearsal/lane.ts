import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EvidenceClaims, LaneReason, RehearsalRequest, RehearsalResult } from "../codec/documents.js";
import { decodeDocument } from "../codec/decode.js";
import { encodeDocument } from "../codec/encode.js";
import { formatTimestamp } from "../codec/formats.js";
import { isMalformed } from "../codec/rejection.js";
import { Mutex } from "../db/mutex.js";
import type { SqlDatabase } from "../db/session.js";
import { FailclosedError } from "../../kernel/errors.js";
import { type Clock, systemClock } from "../../kernel/clock.js";
import { assertNever } from "../../kernel/result.js";
import { type KeyEntry, type Keyring, loadKeyring, requireSigner, requireVerifier } from "../seal/keyring.js";
import { sealDocument } from "../seal/sign.js";
import { digestDatabase } from "./digest/digest.js";
import { cloneBackend, type CloneBackend } from "./clone/backend.js";
import { laneComponents, type LaneComponents } from "./components.js";
import { configuredCloneIsProduction, type LaneConfig } from "./config.js";
import type { DatabaseDigest } from "./digest/types.js";
import { writeEvidence } from "./evidence-writer.js";
import { type CloneRecord, journalPath, readJournal, refuseMissingClone, writeJournal } from "./journal.js";
import { runSnapshotRestore, runTransactional, type Applying, type RunOutput } from "./run-modes.js";
import { restoreSequences } from "./sequences.js";
import { type RehearsalObservation, validateRehearsal } from "./validate.js";

export interface LaneAnswer {
  readonly result: RehearsalResult;
  /** The result as strict JSON, exactly what every transport sends. */
  readonly bytes: Uint8Array;
  /** Where the evidence directory was written, when there was a rehearsal to record. */
  readonly evidenceDir?: string;
}

export interface Lane {
  /** Request bytes in, result out. Never throws; rehearsals on one clone run one at a time. */
  rehearse(bytes: Uint8Array): Promise<LaneAnswer>;
  /** The clone's digest between rehearsals (for operators and the fuzzer's state oracle, F3). */
  cloneDigest(): Promise<string>;
  close(): Promise<void>;
}

export interface LaneOptions {
  readonly testMode: boolean;
  readonly clock?: Clock;
  /** A keyring already in memory, instead of the configuration's files (the fuzzer's). */
  readonly keyring?: Keyring;
  /**
   * Parts swapped for flawed ones, for tests that prove the fuzzer catches a flawed classifier,
   * guard or digest (components.ts); production passes none.
   */
  readonly components?: Partial<LaneComponents>;
  /**
   * Told what the lane could not clean up (snapshot copies it failed to remove), one line each,
   * for an operator; the default writes `failclosed: NOTICE: …` to stderr, which is where
   * `rehearse` and `serve` users see it. Such leftovers are retried at every start.
   */
  readonly notice?: (line: string) => void;
}

type Outcome = {
  readonly verdict: RehearsalResult["verdict"];
  readonly reasons: readonly LaneReason[];
  readonly digests?: {
    before?: DatabaseDigest;
    after_apply?: DatabaseDigest;
    after_rollback?: DatabaseDigest;
  };
};

/**
 * C7: the lane seals evidence with a rehearsal key and checks markers with operator keys. It must
 * never hold an owner or a gate private key, so it can never produce a grant or a permit.
 */
function checkLaneKeyring(keyring: Keyring, kid: string | undefined): KeyEntry {
  for (const entry of keyring.values()) {
    if (entry.signKey !== undefined && (entry.role === "owner" || entry.role === "gate")) {
      throw new FailclosedError(
        "KEY_WRONG_ROLE",
        `the lane's keyring holds the private ${entry.role} key ${entry.kid}; remove it`,
      );
    }
  }
  requireVerifier(keyring, "operator");
  return requireSigner(keyring, "rehearsal", kid);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function refused(...reasons: LaneReason[]): Outcome {
  return { verdict: "REFUSED", reasons };
}

/** The clone is not the one the lane recorded as clean: refused until an operator acts. */
const NOT_CLEAN: readonly LaneReason[] = ["refused_by_guard", "not_restored"];

class CloneNotClean extends Error {
  override readonly name = "CloneNotClean";
  constructor(readonly before: DatabaseDigest) {
    super("the clone's digest is not the clean digest the lane recorded for it");
  }
}

export async function openLane(config: LaneConfig, options: LaneOptions): Promise<Lane> {
  const keyring = options.keyring ?? (await loadKeyring(config.keyring, { testMode: options.testMode }));
  const rehearsalKey = checkLaneKeyring(keyring, config.rehearsalKid);
  const backend: CloneBackend = cloneBackend(config);
  const journal = journalPath(config, backend.identity);
  // PGlite would create a missing directory and run initdb in it: a typo must not make a clone.
  // The one exception is a restore that a crash interrupted after moving the clone aside: the
  // record names the snapshot, and the recovery at the first rehearsal copies it back.
  if (config.clone.engine === "pglite" && !existsSync(config.clone.dataDir)) {
    await refuseMissingClone(config.clone.dataDir, journal);
  }
  const clock = options.clock ?? systemClock;
  const parts = laneComponents(options.components);
  const notice =
    options.notice ?? ((line: string) => void process.stderr.write(`failclosed: NOTICE: ${line}\n`));
  const reportKept = (kept: readonly string[]): void => {
    if (kept.length > 0)
      notice(
        `could not remove ${kept.length} snapshot cop${kept.length === 1 ? "y" : "ies"} of clone ` +
          `${backend.identity}: ${kept.join(", ")}; retried at the next start, or remove by hand`,
      );
  };
  /** Removes this clone's leftover snapshots (except `keep`) and reports what stayed. */
  const cleanLeftovers = async (keep: readonly string[]): Promise<void> => {
    const outcome = await backend.cleanLeftovers(keep).catch(() => undefined);
    if (outcome !== undefined) reportKept(outcome.kept);
  };
  const lock = new Mutex();
  let db: SqlDatabase | undefined;
  let started = false;
  /**
   * The clone's digest, known without reading it again (issue #17): the last transactional run
   * kept `db` and proved the clone equal to `before` on it (RunOutput.kept), or cloneDigest read
   * it on `db` with the shipped digest since the last run. Only PGlite keeps a
   * session: its one backend is the lane's, in the lane's worker, so nothing but the lane can have
   * written to the clone while `db` stays open. Forgotten whenever `db` changes or another run
   * starts; a real server is always digested again, since other connections can write there.
   */
  let known: { readonly db: SqlDatabase; readonly digest: DatabaseDigest } | undefined;
  /** Every part shipped: only then may cloneDigest answer with what the lane's digest read. */
  const allShipped = Object.values(options.components ?? {}).every((part) => part === undefined);

  /**
   * Crash-safe rehearsal, at the first rehearsal after start-up and whenever a record is pending:
   * a rehearsal that never finished is finished now (the snapshot restored, or the sequences put
   * back) and the clone proven equal to its clean digest; otherwise the record turns dirty. Then
   * leftover snapshots of this clone are removed (at start-up). Returns the record to go on with
   * ("unreadable": refused until an operator removes it).
   */
  async function recover(): Promise<CloneRecord | null | "unreadable"> {
    const record = await readJournal(journal);
    if (record === "unreadable") return record;
    let current: CloneRecord | null = record ?? null;
    if (current?.state === "pending") current = await finishPending(current);
    if (!started && current?.state !== "dirty") {
      const keep = current?.snapshot === undefined ? [] : [current.snapshot];
      await cleanLeftovers(keep);
      started = true;
    }
    return current;
  }

  /**
   * Finishes an interrupted rehearsal. Only a digest that was computed and differs from the clean
   * one makes the clone dirty; a clone that cannot be reached or digested (the server is down)
   * proves nothing either way, so the record stays pending, this rehearsal fails, and the next
   * one tries again.
   */
  async function finishPending(record: CloneRecord): Promise<CloneRecord> {
    await db?.close().catch(() => undefined);
    db = undefined;
    if (record.mode === "snapshot_restore" && record.snapshot !== undefined) {
      // A failed restore is judged by the digest below: the clone is either still reachable
      // (and then proven unequal, or equal after all) or not, and then nothing is decided.
      await backend.restore({ id: record.snapshot }).catch(() => undefined);
    }
    let digest: string | undefined;
    try {
      db = await backend.open();
      const open = db;
      if (record.mode === "transactional" && record.sequences !== undefined) {
        const sequences = record.sequences;
        await open.withSession((session) => restoreSequences(session, sequences));
      }
      const computed = await digestDatabase(open);
      if (computed.ok) digest = computed.value.digest;
    } catch {
      digest = undefined;
    }
    if (digest === undefined) {
      await db?.close().catch(() => undefined);
      db = undefined;
      throw new FailclosedError(
        "DATABASE_UNAVAILABLE",
        "the clone could not be reached to finish an interrupted rehearsal; it stays pending",
      );
    }
    const proven = digest === record.clean_digest;
    const next: CloneRecord = proven
      ? {
          v: 1,
          clone: record.clone,
          marker_id: record.marker_id,
          clean_digest: record.clean_digest,
          state: "clean",
        }
      : {
          ...record,
          state: "dirty",
          reason: "an interrupted rehearsal could not be undone and proven clean",
        };
    await writeJournal(journal, next);
    if (proven && record.snapshot !== undefined) {
      const snapshot = record.snapshot;
      await backend.discard({ id: snapshot }).catch(() => reportKept([snapshot]));
    }
    return next;
  }

  async function rehearseOn(request: RehearsalRequest, migration: Uint8Array): Promise<Outcome> {
    if (sha256Hex(migration) !== request.artifact_sha256) return refused("artifact_mismatch");
    const classified = await parts.classify(request.migration);
    if (!classified.ok) return refused("refused_by_classifier");
    // C1 before connecting: a configuration that names production is refused touching nothing.
    if (configuredCloneIsProduction(config)) return refused("refused_by_guard", "production_identity");
    const record = await recover();
    if (record === "unreadable") return refused(...NOT_CLEAN);
    // A PGlite clone a failed recovery left missing: opening it would make an empty cluster.
    if (record?.state === "dirty" && config.clone.engine === "pglite" && !existsSync(config.clone.dataDir))
      return refused(...NOT_CLEAN);
    // From here on the clone is touched: what was known of it holds for this run at most.
    const clean = known;
    known = undefined;
    db ??= await backend.open();
    const open = db;
    const guard = await open.withSession((session) =>
      parts.guard(session, backend.engine, config.production, keyring),
    );
    if (!guard.ok) return refused("refused_by_guard", guard.reason);
    const markerId = guard.markerId ?? "unknown";
    // The clean digest is bound to the marker that vouched for the clone: a new marker (an
    // operator re-sealed a repaired or re-created clone) starts a new binding.
    const bound = record !== null && record.marker_id === markerId ? record : undefined;
    // A dirty clone stays refused until an operator acts: a new marker, or the record removed.
    if (bound?.state === "dirty") return refused(...NOT_CLEAN);
    let pending: CloneRecord | undefined;
    const input = {
      backend,
      migration: request.migration,
      statementTimeoutMs: config.statementTimeoutMs,
      compareCluster: config.compareCluster,
      digest: parts.digest,
      takeBack: parts.takeBack,
      checkBefore: async (before: DatabaseDigest) => {
        if (bound !== undefined && before.digest !== bound.clean_digest) {
          await writeJournal(journal, {
            ...bound,
            state: "dirty",
            reason: "the clone's digest before a rehearsal was not its recorded clean digest",
          });
          throw new CloneNotClean(before);
        }
      },
      beforeApply: async (before: DatabaseDigest, applying: Applying) => {
        pending = {
          v: 1,
          clone: backend.identity,
          marker_id: markerId,
          clean_digest: before.digest,
          state: "pending",
          rehearsal_id: request.rehearsal_id,
          mode: applying.mode,
          ...(applying.mode === "snapshot_restore"
            ? { snapshot: applying.snapshot.id }
            : { sequences: applying.sequences }),
        };
        await writeJournal(journal, pending);
      },
    };
    let run: RunOutput;
    try {
      switch (request.mode) {
        case "transactional":
          db = undefined;
          run = await runTransactional(
            open,
            clean?.db === open ? { ...input, knownBefore: clean.digest } : input,
          );
          break;
        case "snapshot_restore":
          db = undefined;
          run = await runSnapshotRestore(open, input);
          break;
        default:
          return assertNever(request.mode, "mode");
      }
    } catch (error) {
      if (error instanceof CloneNotClean)
        return { verdict: "REFUSED", reasons: NOT_CLEAN, digests: { before: error.before } };
      throw error;
    }
    db = run.db;
    const before = run.observation.before;
    if (run.kept && run.db !== undefined && before !== undefined) known = { db: run.db, digest: before };
    // A clone the run could not reach afterwards (the server went down) stays pending: the next
    // rehearsal finishes the undoing and proves the clone clean before anything else runs.
    if (pending !== undefined && (run.clean || run.db !== undefined)) {
      const done: CloneRecord = run.clean
        ? {
            v: 1,
            clone: pending.clone,
            marker_id: pending.marker_id,
            clean_digest: pending.clean_digest,
            state: "clean",
          }
        : {
            ...pending,
            state: "dirty",
            reason: "the rehearsal could not prove the clone back to its clean digest",
          };
      await writeJournal(journal, done);
    }
    // A snapshot a dirty record still names is kept for the operator.
    const keep = !run.clean && pending?.snapshot !== undefined ? [pending.snapshot] : [];
    // The run's own snapshot, if it could not be discarded, is among the leftovers cleaned here.
    if (request.mode === "snapshot_restore") await cleanLeftovers(keep);
    const validation = validateRehearsal(run.observation);
    return { verdict: validation.verdict, reasons: validation.reasons, digests: digestsOf(run.observation) };
  }

  async function record(
    request: RehearsalRequest,
    migration: Uint8Array,
    outcome: Outcome,
  ): Promise<LaneAnswer> {
    const now = clock.now();
    const hex = (d: DatabaseDigest | undefined): string | null => d?.digest ?? null;
    const digests = outcome.digests ?? {};
    const claimsWithoutTree = {
      kind: "evidence" as const,
      v: 1 as const,
      rehearsal_id: request.rehearsal_id,
      packet_id: request.packet_id,
      artifact_sha256: sha256Hex(migration),
      mode: request.mode,
      verdict: outcome.verdict,
      reasons: outcome.reasons,
      before: hex(digests.before),
      after_apply: hex(digests.after_apply),
      after_rollback: hex(digests.after_rollback),
      scope: "clone" as const,
      sealed_at: formatTimestamp(now),
    };
    const name = `${request.rehearsal_id}-${formatTimestamp(now).replace(/[-:]/g, "")}-${randomBytes(4).toString("hex")}`;
    const written = await writeEvidence(config.evidenceDir, name, {
      result: claimsWithoutTree,
      migration,
      digests,
    });
    const claims: EvidenceClaims = { ...claimsWithoutTree, tree: written.tree };
    const jws = await sealDocument(rehearsalKey, "evidence", claims);
    await writeFile(join(config.evidenceDir, `${name}.evidence.jws`), `${jws}\n`, {
      mode: 0o644,
      flag: "wx",
    });
    const result: RehearsalResult = {
      kind: "rehearsal-result",
      v: 1,
      verdict: outcome.verdict,
      reasons: outcome.reasons,
      rehearsal_id: request.rehearsal_id,
      before: claims.before,
      after_apply: claims.after_apply,
      after_rollback: claims.after_rollback,
      evidence_tree: written.tree,
      // Like a gate refusal (G7), a FAIL or REFUSED carries no seal; its seal is on disk (C7).
      ...(outcome.verdict === "PASS" ? { evidence: jws } : {}),
    };
    return { result, bytes: encodeDocument("rehearsal-result", result), evidenceDir: written.dir };
  }

  async function rehearseChecked(bytes: Uint8Array): Promise<LaneAnswer> {
    const decoded = decodeDocument("rehearsal-request", bytes);
    if (!decoded.ok)
      return bare({
        verdict: "REFUSED",
        reasons: [isMalformed(decoded.error.code) ? "malformed_input" : "schema_violation"],
      });
    const request = decoded.value;
    const migration = Buffer.from(request.migration, "utf8");
    let outcome: Outcome;
    try {
      outcome = await rehearseOn(request, migration);
    } catch {
      // The clone connection may be in any state after an exception: drop it, reopen next time.
      await db?.close().catch(() => undefined);
      db = undefined;
      outcome = { verdict: "FAIL", reasons: ["internal_error"] };
    }
    try {
      return await record(request, migration, outcome);
    } catch {
      return bare({ verdict: "FAIL", reasons: ["internal_error"], rehearsal_id: request.rehearsal_id });
    }
  }

  /** The answer's bytes as the result writer makes them (the shipped one: the same strict JSON). */
  const written = (answer: LaneAnswer, request: Uint8Array): LaneAnswer => ({
    ...answer,
    bytes: parts.writeResult(answer.result, request),
  });

  return {
    rehearse: async (bytes) =>
      written(
        await lock
          .run(() => rehearseChecked(bytes))
          .catch(() => bare({ verdict: "FAIL", reasons: ["internal_error"] })),
        bytes,
      ),
    cloneDigest: () =>
      lock.run(async () => {
        db ??= await backend.open();
        // What the shipped lane proved on this very connection after its last run (see `known`).
        if (allShipped && known?.db === db) return known.digest.digest;
        // Always the shipped digest: what the fuzzer's state oracle (F3) reads must not depend on
        // a digest a test swapped in, or a flawed digest would blind the oracle that checks it.
        const digest = await digestDatabase(db);
        if (!digest.ok)
          throw new FailclosedError("DATABASE_UNAVAILABLE", `cannot digest the clone: ${digest.error.kind}`);
        // On PGlite nothing but the lane writes to the clone while `db` stays open: what was just
        // read stands until the next run or reopen (the fuzzer reads the state around every probe,
        // and most probes are refused before the clone is touched).
        if (allShipped && db.engine === "pglite") known = { db, digest: digest.value };
        return digest.value.digest;
      }),
    close: () =>
      lock.run(async () => {
        const open = db;
        db = undefined;
        known = undefined;
        await open?.close();
      }),
  };
}

function digestsOf(o: RehearsalObservation): NonNullable<Outcome["digests"]> {
  return {
    ...(o.before === undefined ? {} : { before: o.before }),
    ...(o.afterApply === undefined ? {} : { after_apply: o.afterApply }),
    ...(o.afterRollback === undefined ? {} : { after_rollback: o.afterRollback }),
  };
}

/** A result with no rehearsal behind it (malformed input, an unrecordable failure). */
function bare(partial: Pick<RehearsalResult, "verdict" | "reasons"> & { rehearsal_id?: string }): LaneAnswer {
  const result: RehearsalResult = { kind: "rehearsal-result", v: 1, ...partial };
  return { result, bytes: encodeDocument("rehearsal-result", result) };
}
