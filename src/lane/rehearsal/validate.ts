import type { LaneReason } from "../codec/documents.js";
import { type DatabaseDigest, isDigestHex } from "./digest/types.js";

/** What the run observed, whatever the mode. A digest is undefined when it could not be taken. */
export interface RehearsalObservation {
  readonly before?: DatabaseDigest;
  readonly afterApply?: DatabaseDigest;
  readonly afterRollback?: DatabaseDigest;
  /** A digest failed or was incomplete. */
  readonly digestFailed: boolean;
  /** The migration raised a server error. */
  readonly serverError: boolean;
  /** The transaction id moved while the migration ran (C3), or the cluster changed. */
  readonly escaped: boolean;
  /** Snapshot or restore failed (C4). */
  readonly restoreFailed: boolean;
  /**
   * Compare the cluster-wide digest (roles, databases, tablespaces). Off only for a clone on a
   * shared server, where anyone else's CREATE DATABASE would read as an escape.
   */
  readonly compareCluster: boolean;
}

export type Validation =
  | { readonly verdict: "PASS"; readonly reasons: readonly [] }
  | { readonly verdict: "FAIL"; readonly reasons: readonly LaneReason[] };

function sectionsDiffer(a: DatabaseDigest, b: DatabaseDigest): string[] {
  const names = new Set([...Object.keys(a.sections), ...Object.keys(b.sections)]);
  return [...names].filter((name) => a.sections[name] !== b.sections[name]);
}

/**
 * C6, the hardened validator: PASS only if every digest is well formed, after_apply differs from
 * before, after_rollback equals before, and nothing escaped. Every failing condition adds its own
 * reason, so a report says all that went wrong, not the first thing.
 */
export function validateRehearsal(o: RehearsalObservation): Validation {
  const reasons: LaneReason[] = [];
  if (o.serverError) reasons.push("server_error");
  if (o.restoreFailed) reasons.push("restore_failed");
  if (o.escaped) reasons.push("escape_detected");
  if (o.digestFailed) reasons.push("digest_incomplete");
  const { before, afterApply, afterRollback } = o;
  const wellFormed = (d: DatabaseDigest | undefined): d is DatabaseDigest =>
    d !== undefined && isDigestHex(d.digest) && isDigestHex(d.cluster.digest);
  // The clone must be back to `before` whatever else went wrong, so compare whenever both exist.
  if (wellFormed(before) && wellFormed(afterRollback)) {
    if (o.compareCluster && afterRollback.cluster.digest !== before.cluster.digest)
      reasons.push("escape_detected");
    if (afterRollback.digest !== before.digest) {
      const changed = sectionsDiffer(before, afterRollback);
      // A sequence is not transactional: nextval and setval survive ROLLBACK, hence its own reason.
      if (changed.some((name) => name.startsWith("sequence:"))) reasons.push("sequence_drift");
      if (changed.length === 0 || changed.some((name) => !name.startsWith("sequence:")))
        reasons.push("not_restored");
    }
  }
  if (wellFormed(before) && wellFormed(afterApply) && afterApply.digest === before.digest)
    reasons.push("no_change");
  const complete = wellFormed(before) && wellFormed(afterApply) && wellFormed(afterRollback);
  if (!complete && reasons.length === 0) reasons.push("digest_incomplete");
  const unique = [...new Set(reasons)];
  return unique.length === 0 ? { verdict: "PASS", reasons: [] } : { verdict: "FAIL", reasons: unique };
}
