/**
 * F3, attacks: nothing changes but the audit log. The ledger's consumed nonces, the clone's digest
 * and the production sentinel's digest are compared before and after the probe.
 *
 * A target that cannot report its state (an external gate) gives no snapshots and is not judged
 * here. A snapshot before without one after means the state could not be read back: an error,
 * since the probe may have changed it. A digest present on one side only is the same.
 */
import type { Oracle, OracleInput, OracleVerdict, StateSnapshot } from "../types.js";

type DigestField = "cloneDigest" | "sentinelDigest";
const DIGESTS: ReadonlyArray<[DigestField, string]> = [
  ["cloneDigest", "clone digest"],
  ["sentinelDigest", "production sentinel digest"],
];

function compare(before: StateSnapshot, after: StateSnapshot): OracleVerdict {
  if (before.consumedNonces !== after.consumedNonces)
    return {
      kind: "fail",
      reason: `consumed nonces changed from ${before.consumedNonces} to ${after.consumedNonces}`,
    };
  for (const [field, name] of DIGESTS) {
    const was = before[field];
    const is = after[field];
    if (was === undefined && is === undefined) continue;
    if (was === undefined || is === undefined)
      return { kind: "error", detail: `${name} present in only one of the snapshots` };
    // Digests are hex (C5); they are shortened for findings, not hidden: they hold no secret.
    if (was !== is)
      return { kind: "fail", reason: `${name} changed (${was.slice(0, 12)}… → ${is.slice(0, 12)}…)` };
  }
  return { kind: "pass" };
}

function judgeSync({ before, after }: OracleInput): OracleVerdict {
  if (before === undefined) return { kind: "pass" };
  if (after === undefined) return { kind: "error", detail: "state before the probe but none after it" };
  return compare(before, after);
}

export const stateOracle: Oracle = {
  name: "state",
  rule: "F3",
  appliesTo: "attack",
  judge: (input) => Promise.resolve(judgeSync(input)),
};
