/**
 * P09's second flawed evidence check: the evidence is bound to the packet and the artifact, but its
 * PASS is taken at its word. The digests are never compared (C6: after_apply differs from before,
 * after_rollback equals it), as when a gate "trusts the lane's verdict": a rehearsal key that
 * seals PASS over a no-op apply or a clone that was not restored authorises the migration.
 */
import type { EvidenceSupports } from "../../../lane/index.js";

export const evidenceDigestsTrusted: EvidenceSupports = (evidence, packet, apply) =>
  apply?.artifact_sha256 !== undefined &&
  evidence.verdict === "PASS" &&
  evidence.reasons.length === 0 &&
  evidence.scope === "clone" &&
  evidence.packet_id === packet.packet_id &&
  packet.evidence.includes(evidence.tree) &&
  evidence.artifact_sha256 === apply.artifact_sha256;
// The flaw: nothing about before, after_apply and after_rollback.
