import { createHash } from "node:crypto";
import type { Action, ActionRequest, DecisionPacket, Grant } from "../../lane/index.js";
import { grantsNeeded } from "../contract/contract.js";
import type { FamilyContext } from "../types.js";
import { authorizedPacket, BUILTIN_BASE, type PacketBase } from "./bases.js";
import { passingEvidence, request, validGrant } from "./documents.js";
import { sealAs } from "./seal.js";

/** The parts of a fully authorised request, before sealing: attacks change one of them. */
export interface AuthorizedParts {
  readonly label: string;
  readonly action: Action;
  readonly packet: DecisionPacket;
  readonly grants: readonly Grant[];
  /** QT001_APPLY only: the migration's digest, the evidence's tree. */
  readonly artifactSha256?: string;
  readonly evidenceTree?: string;
}

/** A label for nonces and ids, derived from the probe's structured value: same value, same bytes. */
export function labelOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 24);
}

/**
 * Everything a correct gate needs to allow `action`, starting from a packet base (the built-in
 * packet unless given): the base re-made to authorise it, and one fresh grant per required action
 * bound to the base's packet id.
 */
export function authorizedParts(
  ctx: FamilyContext,
  label: string,
  action: Action,
  base: PacketBase = BUILTIN_BASE,
): AuthorizedParts {
  const apply = action === "QT001_APPLY";
  const artifactSha256 = createHash("sha256").update(`migration\0${label}`).digest("hex");
  const evidenceTree = createHash("sha256").update(`tree\0${ctx.salt}\0${label}`).digest("hex");
  const packet = authorizedPacket(ctx, base, apply ? [evidenceTree] : []);
  const grants = grantsNeeded(action).map((needed) =>
    validGrant(ctx, needed, `${label}:${needed}`, {
      packet_id: packet.packet_id,
      ...(needed === "QT001_APPLY" ? { artifact_sha256: artifactSha256 } : {}),
    }),
  );
  return { label, action, packet, grants, ...(apply ? { artifactSha256, evidenceTree } : {}) };
}

/** Seals the parts as their holders would and assembles the request a correct gate allows. */
export async function authorizedRequest(ctx: FamilyContext, parts: AuthorizedParts): Promise<ActionRequest> {
  const packet = await sealAs(ctx, "owner", "decision-packet", parts.packet);
  const grants = await Promise.all(parts.grants.map((g) => sealAs(ctx, "owner", "grant", g)));
  const evidence =
    parts.artifactSha256 !== undefined && parts.evidenceTree !== undefined
      ? await sealAs(
          ctx,
          "rehearsal",
          "evidence",
          passingEvidence(ctx, parts.label, parts.artifactSha256, parts.evidenceTree, parts.packet.packet_id),
        )
      : undefined;
  return request(ctx, parts.label, parts.action, packet, grants, evidence);
}
