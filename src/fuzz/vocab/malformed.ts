/**
 * P01's vocabulary (R1-R9, R11, S5): malformations from craft/malformations.ts's catalogue, landed
 * in one document of a fully authorised request: the request itself, or the packet or a grant whose
 * bent bytes the owner seals for real (S5: the payload is parsed strictly after the seal verifies).
 */
import fc from "fast-check";
import { authorizedParts, authorizedRequest, labelOf } from "../craft/authorized.js";
import { describeBase, packetBases, type PacketBase } from "../craft/bases.js";
import { chainByKey } from "../craft/chain-by-key.js";
import { entropy } from "../craft/entropy.js";
import { describeMutation, renderMutated } from "../craft/json-render.js";
import { malformationsOf, type Malformation, type MemberSpec } from "../craft/malformations.js";
import { sealAs } from "../craft/seal.js";
import type { FamilyContext } from "../types.js";
import { breaksText } from "./flaw.js";
import { ownerReseals, withResealedPacket } from "./reseal.js";

/** Which document of a fully authorised request the malformations land in. */
export type Where = "request" | "packet" | "grant";

export interface MalformedValue {
  readonly entropy: number;
  /** The packet the request is built on: built in, a seed of corpora/P01/seeds/, or schema-drawn. */
  readonly base: PacketBase;
  readonly where: Where;
  readonly malformations: readonly Malformation[];
}

export const REQUEST_MEMBERS: readonly MemberSpec[] = [
  { name: "kind", type: "enum", value: "action-request" },
  { name: "v", type: "integer", value: 1 },
  { name: "request_id", type: "identifier", value: "req-1" },
  { name: "action", type: "enum", value: "CUTOVER" },
  { name: "target", type: "enum", value: "production" },
  { name: "packet", type: "string", value: "jws" },
  { name: "grants", type: "array", value: [] },
];

export const PACKET_MEMBERS: readonly MemberSpec[] = [
  { name: "kind", type: "enum", value: "decision-packet" },
  { name: "v", type: "integer", value: 1 },
  { name: "packet_id", type: "identifier", value: "FIX7-P0-2026-06-12" },
  { name: "issued_at", type: "timestamp", value: "2026-06-12T00:00:00Z" },
  { name: "expires_at", type: "timestamp", value: "2026-06-19T00:00:00Z" },
  { name: "default", type: "enum", value: "HOLD_PRODUCTION" },
  { name: "selected", type: "enum", value: "AUTHORIZE_PRODUCTION_EXECUTION" },
  { name: "blockers", type: "array", value: [] },
  { name: "evidence", type: "array", value: [] },
];

export const GRANT_MEMBERS: readonly MemberSpec[] = [
  { name: "kind", type: "enum", value: "grant" },
  { name: "v", type: "integer", value: 1 },
  { name: "grant_id", type: "identifier", value: "grant-1" },
  { name: "packet_id", type: "identifier", value: "FIX7-P0-2026-06-12" },
  { name: "action", type: "enum", value: "CUTOVER" },
  { name: "target", type: "enum", value: "production" },
  { name: "not_before", type: "timestamp", value: "2026-06-12T00:00:00Z" },
  { name: "expires_at", type: "timestamp", value: "2026-06-12T06:00:00Z" },
];

/** The members of each document of a request, for the malformation catalogue. */
export const MEMBERS_OF: Readonly<Record<Where, readonly MemberSpec[]>> = {
  request: REQUEST_MEMBERS,
  packet: PACKET_MEMBERS,
  grant: GRANT_MEMBERS,
};

export async function renderMalformed(value: MalformedValue, ctx: FamilyContext): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, labelOf(value), "CUTOVER", value.base);
  const mutations = value.malformations.map((m) => m.mutation);
  const request = await authorizedRequest(ctx, parts);
  switch (value.where) {
    case "request":
      return renderMutated(request, mutations);
    case "packet": {
      // Correctly sealed by the owner, but the signed bytes themselves are malformed (S5: the
      // payload is parsed strictly after the seal verifies).
      return withResealedPacket(ctx, request, parts.packet, mutations);
    }
    case "grant": {
      const [realRun, cutover] = parts.grants;
      if (realRun === undefined || cutover === undefined) throw new Error("CUTOVER needs two grants");
      const grants = [
        await sealAs(ctx, "owner", "grant", realRun),
        await ownerReseals(ctx, "grant+jws", cutover, mutations),
      ];
      return renderMutated({ ...request, grants }, []);
    }
  }
}

export function malformedValues(
  ctx: FamilyContext,
  familyId: string,
  catalogue: (members: readonly MemberSpec[]) => fc.Arbitrary<Malformation[]> = malformationsOf,
): fc.Arbitrary<MalformedValue> {
  const bases = packetBases(ctx, familyId);
  return chainByKey(fc.constantFrom<Where>("request", "packet", "grant"), (where) =>
    fc.record({
      entropy: entropy(),
      base: bases,
      where: fc.constant(where),
      malformations: catalogue(MEMBERS_OF[where]),
    }),
  );
}

export function malformedBreaks(value: MalformedValue): string | undefined {
  const first = value.malformations[0];
  return first === undefined ? undefined : breaksText(first);
}

export function describeMalformed(value: MalformedValue): string {
  const whats = value.malformations.map((m) => describeMutation(m.mutation)).join("; ");
  return `${value.where}: ${whats} (${describeBase(value.base)})`;
}
