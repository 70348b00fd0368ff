import { randomBytes } from "node:crypto";
import type { DecisionPacket, Grant, Permit } from "../codec/documents.js";
import { formatTimestamp, PERMIT_MAX_LIFETIME_SECONDS, timestampSeconds } from "../codec/index.js";
import type { KeyEntry } from "../seal/keyring.js";
import { sealDocument } from "../seal/sign.js";

export interface IssuedPermit {
  readonly permit: Permit;
  readonly jws: string;
}

/** G5: a permit sealed by a gate key naming request, packet, action, target and grants used. */
export async function issuePermit(
  gateKey: KeyEntry,
  requestId: string,
  packet: DecisionPacket,
  grants: readonly Grant[],
  action: Permit["action"],
  now: number,
  lifetimeSeconds: number,
): Promise<IssuedPermit> {
  const permit: Permit = {
    kind: "permit",
    v: 1,
    permit_id: `permit-${randomBytes(12).toString("hex")}`,
    request_id: requestId,
    packet_id: packet.packet_id,
    action,
    target: "production",
    grants: grants.map((g) => g.grant_id),
    issued_at: formatTimestamp(now),
    // Never past what authorised it: the earliest of the grants' and the packet's expiry.
    expires_at: formatTimestamp(
      Math.min(
        now + Math.min(lifetimeSeconds, PERMIT_MAX_LIFETIME_SECONDS),
        timestampSeconds(packet.expires_at),
        ...grants.map((g) => timestampSeconds(g.expires_at)),
      ),
    ),
  };
  return { permit, jws: await sealDocument(gateKey, "permit", permit) };
}
