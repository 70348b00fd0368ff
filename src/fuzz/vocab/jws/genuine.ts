/** The genuine documents behind a request's seals: what a forgery starts from. */
import { createHash } from "node:crypto";
import { encodeDocument, type DecisionPacket, type EvidenceClaims, type Grant } from "../../../lane/index.js";
import type { AuthorizedParts } from "../../craft/authorized.js";
import { passingEvidence } from "../../craft/documents.js";
import type { FamilyContext } from "../../types.js";
import type { Slot, SlotKind } from "./slots.js";

export type Genuine =
  | { readonly kind: "decision-packet"; readonly doc: DecisionPacket }
  | { readonly kind: "grant"; readonly doc: Grant }
  | { readonly kind: "evidence"; readonly doc: EvidenceClaims };

export function payloadOf(genuine: Genuine): Uint8Array {
  switch (genuine.kind) {
    case "decision-packet":
      return encodeDocument("decision-packet", genuine.doc);
    case "grant":
      return encodeDocument("grant", genuine.doc);
    case "evidence":
      return encodeDocument("evidence", genuine.doc);
  }
}

/** The request's evidence claims; for actions without evidence, a stand-in with the same shape. */
export function evidenceOf(ctx: FamilyContext, parts: AuthorizedParts): EvidenceClaims {
  const stand = (what: string): string =>
    createHash("sha256").update(`${what}\0${ctx.salt}\0${parts.label}`).digest("hex");
  return passingEvidence(
    ctx,
    parts.label,
    parts.artifactSha256 ?? stand("artifact"),
    parts.evidenceTree ?? stand("tree"),
    parts.packet.packet_id,
  );
}

export function genuineOf(
  kind: SlotKind,
  slot: Slot | undefined,
  ctx: FamilyContext,
  parts: AuthorizedParts,
): Genuine {
  switch (kind) {
    case "decision-packet":
      return { kind, doc: parts.packet };
    case "evidence":
      return { kind, doc: evidenceOf(ctx, parts) };
    case "grant": {
      const grant = parts.grants[slot === "grant-1" ? 1 : 0];
      if (grant === undefined)
        throw new Error(`the authorised request has no grant for ${slot ?? "grant-0"}`);
      return { kind, doc: grant };
    }
  }
}
