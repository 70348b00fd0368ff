import fc from "fast-check";
import type { DecisionPacket } from "../../lane/index.js";
import { documentArbitrary } from "../schema/documents.js";
import { num, rootSchema, schemaMap } from "../schema/walk.js";
import type { FamilyContext } from "../types.js";
import { validPacket } from "./documents.js";

/**
 * The decision packet an attack starts from, before it is made to authorise the request: the
 * built-in one, a seed from corpora/<family>/seeds/, or one generated from the packet's JSON
 * Schema. Only the structure is kept (packet id, blockers' ids, actors and gates, evidence); the
 * authority is re-made for the run (see authorizedPacket), so every base is allowed as it stands.
 */
export type PacketBase =
  | { readonly source: "builtin" }
  | {
      readonly source: "corpus";
      readonly family: string;
      readonly seed: string;
      readonly packet: DecisionPacket;
    }
  | { readonly source: "schema"; readonly packet: DecisionPacket };

export const BUILTIN_BASE: PacketBase = { source: "builtin" };

export function packetBases(ctx: FamilyContext, familyId?: string): fc.Arbitrary<PacketBase> {
  const seeds = ctx.corpus.packets.filter((s) => familyId === undefined || s.family === familyId);
  const options: Array<fc.WeightedArbitrary<PacketBase>> = [
    { weight: 2, arbitrary: fc.constant(BUILTIN_BASE) },
    {
      weight: 1,
      arbitrary: documentArbitrary("decision-packet").map((packet): PacketBase => ({
        source: "schema",
        packet,
      })),
    },
  ];
  if (seeds.length > 0) {
    options.push({
      weight: 1,
      arbitrary: fc
        .constantFrom(...seeds)
        .map((s): PacketBase => ({ source: "corpus", family: s.family, seed: s.name, packet: s.packet })),
    });
  }
  return fc.oneof(...options);
}

/** The schema's cap on a packet's evidence list: a base never grows past it. */
const MAX_EVIDENCE =
  num(schemaMap(schemaMap(rootSchema("decision-packet")["properties"])["evidence"])["maxItems"]) ?? 0;

/**
 * The base as an owner would seal it to authorise an action now: valid in the run's clock,
 * selecting the option that permits every action, every blocker discharged, and listing the
 * evidence trees the request relies on. Everything else is the base's own.
 */
export function authorizedPacket(
  ctx: FamilyContext,
  base: PacketBase,
  evidence: readonly string[],
): DecisionPacket {
  const builtin = validPacket(ctx, "AUTHORIZE_PRODUCTION_EXECUTION", { evidence: [...evidence] });
  switch (base.source) {
    case "builtin":
      return builtin;
    case "corpus":
    case "schema": {
      const kept = base.packet.evidence.filter((tree) => !evidence.includes(tree));
      return {
        ...base.packet,
        issued_at: builtin.issued_at,
        expires_at: builtin.expires_at,
        default: "HOLD_PRODUCTION",
        selected: "AUTHORIZE_PRODUCTION_EXECUTION",
        blockers: base.packet.blockers.map((b) => ({ ...b, status: "DISCHARGED" })),
        evidence: [...kept.slice(0, Math.max(0, MAX_EVIDENCE - evidence.length)), ...evidence],
      };
    }
  }
}

export function describeBase(base: PacketBase): string {
  switch (base.source) {
    case "builtin":
      return "built-in packet";
    case "corpus":
      return `seed ${base.family}/${base.seed}`;
    case "schema":
      return `schema-generated packet ${base.packet.packet_id} (${base.packet.blockers.length} blockers)`;
  }
}
