import type { ActionRequest, DecisionPacket, EvidenceClaims, GateReason, Grant } from "../codec/documents.js";
import { timestampSeconds } from "../codec/formats.js";
import type { Keyring } from "../seal/keyring.js";
import type { AuthorizeComponents, GrantClock } from "./component-types.js";
import { gateReasonForSeal } from "./seal-reasons.js";
import { needsDischargedBlockers, requiredGrantActions } from "./policy.js";

/** What the checks concluded, before anything is written or sealed. */
export type Authorization =
  | { readonly kind: "allow"; readonly packet: DecisionPacket; readonly grants: readonly Grant[] }
  | { readonly kind: "hold"; readonly packet: DecisionPacket }
  | { readonly kind: "deny"; readonly reasons: readonly GateReason[]; readonly packetId?: string };

/** What validity windows are checked against. */
export interface AuthorizeContext extends GrantClock {
  readonly keyring: Keyring;
  /** The checks themselves: the shipped ones unless a test swaps one (components.ts). */
  readonly components: AuthorizeComponents;
}

function deny(reasons: readonly GateReason[], packetId?: string): Authorization {
  return packetId === undefined ? { kind: "deny", reasons } : { kind: "deny", reasons, packetId };
}

/**
 * Every check of G1-G4, in a fixed order, over a request the codec already accepted. Seals are all
 * verified first (G1 holds only a correctly sealed request), then time, option, blockers, grants
 * and evidence. Expiry gets no tolerance: skew only ever makes the gate stricter.
 */
export async function authorize(request: ActionRequest, ctx: AuthorizeContext): Promise<Authorization> {
  // The shipped checks unless a test swapped one in (components.ts).
  const parts = ctx.components;
  const packetSeal = await parts.verifySeal(ctx.keyring, "decision-packet", request.packet);
  if (!packetSeal.ok) return deny([gateReasonForSeal(packetSeal.error)]);
  const packet = packetSeal.value.payload;

  // Only once the packet holds are the other seals checked, so a forged packet costs one
  // verification. They are then checked side by side (the signatures run on node:crypto's thread
  // pool, seal/signature.ts) and read in the same fixed order as before: the first bad grant
  // decides, then the evidence, so the answer is the one a one-by-one check gives. The schema
  // caps grants at 8, so a request starts at most 9 verifications after its packet's.
  const [grantSeals, evidenceSeal] = await Promise.all([
    Promise.all(request.grants.map((jws) => parts.verifySeal(ctx.keyring, "grant", jws))),
    request.evidence === undefined ? undefined : parts.verifySeal(ctx.keyring, "evidence", request.evidence),
  ]);
  const grants: Grant[] = [];
  for (const grantSeal of grantSeals) {
    if (!grantSeal.ok) return deny([gateReasonForSeal(grantSeal.error)], packet.packet_id);
    grants.push(grantSeal.value.payload);
  }

  let evidence: EvidenceClaims | undefined;
  if (evidenceSeal !== undefined) {
    if (!evidenceSeal.ok)
      return deny(["evidence_invalid", gateReasonForSeal(evidenceSeal.error)], packet.packet_id);
    evidence = evidenceSeal.value.payload;
  }

  if (!withinLifetime(packet.issued_at, packet.expires_at, ctx)) return deny(["expired"], packet.packet_id);
  if (packet.selected === "HOLD_PRODUCTION") return { kind: "hold", packet };
  if (!parts.optionPermits(packet.selected, request.action))
    return deny(["option_forbids"], packet.packet_id);
  if (needsDischargedBlockers(request.action) && packet.blockers.some((b) => parts.blockerOpen(b))) {
    return deny(["blocker_open"], packet.packet_id);
  }

  const grantProblem = parts.checkGrants(request, packet, grants, ctx);
  if (grantProblem !== undefined) return deny(grantProblem, packet.packet_id);

  if (request.action === "QT001_APPLY") {
    const apply = grants.find((g) => g.action === "QT001_APPLY");
    if (evidence === undefined) return deny(["evidence_missing"], packet.packet_id);
    if (!parts.evidenceSupports(evidence, packet, apply)) return deny(["evidence_invalid"], packet.packet_id);
  }
  return { kind: "allow", packet, grants };
}

function withinLifetime(from: string, until: string, ctx: GrantClock): boolean {
  return timestampSeconds(from) <= ctx.now + ctx.skewSeconds && ctx.now < timestampSeconds(until);
}

/**
 * G3: exactly the grants the action needs, each bound to this packet, inside its window, with its
 * own grant_id and nonce. An extra grant is refused too: a request is never ambiguous about what
 * it consumes. Whether a grant was used before is decided atomically by the ledger (G5).
 */
export function checkGrants(
  request: ActionRequest,
  packet: DecisionPacket,
  grants: readonly Grant[],
  ctx: GrantClock,
): GateReason[] | undefined {
  const ids = new Set(grants.map((g) => g.grant_id));
  const nonces = new Set(grants.map((g) => g.nonce));
  if (ids.size !== grants.length || nonces.size !== grants.length) return ["grant_mismatched"];
  if (grants.some((g) => g.packet_id !== packet.packet_id)) return ["grant_mismatched"];
  if (grants.some((g) => !withinLifetime(g.not_before, g.expires_at, ctx))) return ["expired"];
  const needed = requiredGrantActions(request.action);
  const reasons: GateReason[] = [];
  if (grants.some((g) => !needed.includes(g.action))) reasons.push("grant_mismatched");
  for (const action of needed) {
    const count = grants.filter((g) => g.action === action).length;
    if (count === 0 && !reasons.includes("grant_missing")) reasons.push("grant_missing");
    if (count > 1 && !reasons.includes("grant_mismatched")) reasons.push("grant_mismatched");
  }
  return reasons.length === 0 ? undefined : reasons;
}

/**
 * G4: passing clone evidence for this packet and this artifact. The validator's invariants are
 * checked again here (C6): a rehearsal key that sealed a PASS with a no-op or an unrestored
 * digest is still refused.
 */
export function evidenceSupports(
  evidence: EvidenceClaims,
  packet: DecisionPacket,
  apply: Grant | undefined,
): boolean {
  const { before, after_apply: afterApply, after_rollback: afterRollback } = evidence;
  return (
    apply?.artifact_sha256 !== undefined &&
    evidence.verdict === "PASS" &&
    // C6: a PASS has no reasons; a rehearsal key that seals a PASS with failure reasons is refused.
    evidence.reasons.length === 0 &&
    evidence.scope === "clone" &&
    evidence.packet_id === packet.packet_id &&
    packet.evidence.includes(evidence.tree) &&
    evidence.artifact_sha256 === apply.artifact_sha256 &&
    before !== null &&
    afterApply !== null &&
    afterRollback !== null &&
    afterApply !== before &&
    afterRollback === before
  );
}
