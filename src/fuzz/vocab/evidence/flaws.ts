/**
 * P09's flaw table (C6, E1-E4, G4): exactly one flaw in the rehearsal evidence a fully authorised
 * QT001_APPLY request carries, or in how the packet and grant bind to it. Each flaw breaks exactly
 * one rule, whatever its parameters; apply.ts bends the request accordingly.
 */
import fc from "fast-check";
import { LANE_REASONS, type LaneReason } from "../../../lane/index.js";
import { PACKET_ID } from "../../craft/documents.js";
import { lookalikes } from "../../craft/malformations.js";
import type { Explained } from "../flaw.js";

export type Digest = "before" | "after_apply" | "after_rollback";
export type Malformed = "null" | "upper" | "short" | "long" | "prefixed" | "non-hex" | "empty";

/** One flaw, named by its kind; the parameters say exactly how the evidence was bent. */
export type EvidenceFlaw =
  | {
      readonly kind: "verdict";
      readonly verdict: "FAIL" | "REFUSED";
      readonly reasons: readonly LaneReason[];
    }
  | { readonly kind: "scope"; readonly scope: string }
  | { readonly kind: "tree-digit"; readonly index: number; readonly delta: number }
  | { readonly kind: "tree-uppercase"; readonly where: "evidence" | "packet" }
  | { readonly kind: "tree-unlisted"; readonly packetLists: "nothing" | "another tree" }
  | {
      readonly kind: "artifact";
      readonly side: "evidence" | "grant";
      readonly how: "digit" | "trailing newline" | "byte-order mark";
      readonly index: number;
      readonly delta: number;
    }
  | { readonly kind: "packet-id"; readonly packetId: string }
  | { readonly kind: "no-op" }
  | { readonly kind: "not-restored"; readonly how: "kept the change" | "digit"; readonly index: number }
  | { readonly kind: "digest"; readonly member: Digest; readonly malformed: Malformed }
  | { readonly kind: "signer"; readonly role: "owner" | "gate" | "operator" | "stranger rehearsal" }
  | { readonly kind: "extra-member"; readonly name: string; readonly raw: string }
  | { readonly kind: "missing"; readonly how: "absent" | "null" | "empty string" }
  | {
      readonly kind: "typ-confusion";
      readonly replacedBy:
        "packet JWS" | "grant JWS" | "permit JWS" | "evidence under packet typ" | "packet under evidence typ";
    }
  | { readonly kind: "pass-with-reasons"; readonly reasons: readonly LaneReason[] };

const lowerHex = (n: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: n });
const delta = fc.integer({ min: 1, max: 15 });
const reasonsArb = fc.subarray([...LANE_REASONS], { minLength: 1, maxLength: 3 });

export const evidenceFlawArbitrary: fc.Arbitrary<EvidenceFlaw> = fc.oneof(
  fc.record({
    kind: fc.constant("verdict" as const),
    verdict: fc.constantFrom("FAIL" as const, "REFUSED" as const),
    reasons: reasonsArb,
  }),
  fc.record({
    kind: fc.constant("scope" as const),
    scope: fc.constantFrom(...lookalikes("clone"), "production", "clones", ""),
  }),
  fc.record({ kind: fc.constant("tree-digit" as const), index: lowerHex(63), delta }),
  fc.record({
    kind: fc.constant("tree-uppercase" as const),
    where: fc.constantFrom("evidence" as const, "packet" as const),
  }),
  fc.record({
    kind: fc.constant("tree-unlisted" as const),
    packetLists: fc.constantFrom("nothing" as const, "another tree" as const),
  }),
  fc.record({
    kind: fc.constant("artifact" as const),
    side: fc.constantFrom("evidence" as const, "grant" as const),
    how: fc.constantFrom("digit" as const, "trailing newline" as const, "byte-order mark" as const),
    index: lowerHex(63),
    delta,
  }),
  fc.record({
    kind: fc.constant("packet-id" as const),
    packetId: fc.constantFrom(
      "FIX7-P0-2026-06-13",
      "FIX7-P0-2026-06-12-B",
      "FIX8-P0-2026-06-12",
      "FIX7-P0-2026-06-1",
      PACKET_ID.toLowerCase(),
      `${PACKET_ID} `,
      `${PACKET_ID}\u200b`,
    ),
  }),
  fc.constant({ kind: "no-op" as const }),
  fc.record({
    kind: fc.constant("not-restored" as const),
    how: fc.constantFrom("kept the change" as const, "digit" as const),
    index: lowerHex(63),
  }),
  fc.record({
    kind: fc.constant("digest" as const),
    member: fc.constantFrom<Digest>("before", "after_apply", "after_rollback"),
    malformed: fc.constantFrom<Malformed>("null", "upper", "short", "long", "prefixed", "non-hex", "empty"),
  }),
  fc.record({
    kind: fc.constant("signer" as const),
    role: fc.constantFrom(
      "owner" as const,
      "gate" as const,
      "operator" as const,
      "stranger rehearsal" as const,
    ),
  }),
  fc.record({
    kind: fc.constant("extra-member" as const),
    name: fc.constantFrom("verified", "approved_by", "override", "permit", "signature", "tree_ok", "x_note"),
    raw: fc.constantFrom("true", '"PASS"', '"owner"', "1", "null", "{}"),
  }),
  fc.record({
    kind: fc.constant("missing" as const),
    how: fc.constantFrom("absent" as const, "null" as const, "empty string" as const),
  }),
  fc.record({
    kind: fc.constant("typ-confusion" as const),
    replacedBy: fc.constantFrom(
      "packet JWS" as const,
      "grant JWS" as const,
      "permit JWS" as const,
      "evidence under packet typ" as const,
      "packet under evidence typ" as const,
    ),
  }),
  fc.record({ kind: fc.constant("pass-with-reasons" as const), reasons: reasonsArb }),
);

/** The rule each flaw breaks: every flaw breaks exactly one, whatever its parameters. */
export function explainEvidenceFlaw(flaw: EvidenceFlaw): Explained {
  switch (flaw.kind) {
    case "verdict":
      return { rule: "G4", what: `evidence verdict ${flaw.verdict}, not PASS` };
    case "scope":
      return { rule: "G4", what: `evidence scope ${JSON.stringify(flaw.scope)}, not clone` };
    case "tree-digit":
      return { rule: "G4", what: "evidence tree id not listed in the packet (one hex digit changed)" };
    case "tree-uppercase":
      return {
        rule: "E2",
        what:
          flaw.where === "evidence"
            ? "evidence tree id in uppercase hex"
            : "the packet lists the tree id in uppercase hex",
      };
    case "tree-unlisted":
      return { rule: "G4", what: `evidence tree id not listed in the packet (it lists ${flaw.packetLists})` };
    case "artifact":
      return {
        rule: "G4",
        what: `evidence artifact_sha256 differs from the grant's (${flaw.side} side, ${flaw.how})`,
      };
    case "packet-id":
      return { rule: "G4", what: "evidence for another packet" };
    case "no-op":
      return { rule: "C6", what: "after_apply equals before (the migration changed nothing)" };
    case "not-restored":
      return { rule: "C6", what: `after_rollback differs from before (${flaw.how})` };
    case "digest":
      return {
        rule: "C6",
        what: `digest ${flaw.member} ${flaw.malformed === "null" ? "null" : `malformed (${flaw.malformed})`}`,
      };
    case "signer":
      return {
        rule: "G4",
        what: `evidence sealed by ${flaw.role === "stranger rehearsal" ? "a rehearsal key the gate does not know" : `the ${flaw.role} key`}, not the rehearsal key`,
      };
    case "extra-member":
      return { rule: "E3", what: `evidence with extra member ${flaw.name}` };
    case "missing":
      return { rule: "G4", what: `QT001_APPLY with evidence ${flaw.how}` };
    case "typ-confusion":
      return { rule: "S4", what: `evidence replaced by ${flaw.replacedBy}` };
    case "pass-with-reasons":
      return { rule: "C6", what: `PASS with reasons ${flaw.reasons.join(", ")}` };
  }
}

export function describeEvidenceFlaw(flaw: EvidenceFlaw): string {
  switch (flaw.kind) {
    case "verdict":
      return `evidence sealed by the rehearsal key with verdict ${flaw.verdict} (${flaw.reasons.join(", ")})`;
    case "tree-digit":
      return `evidence tree id with hex digit ${flaw.index} moved by ${flaw.delta}`;
    case "artifact":
      return `artifact_sha256 on the ${flaw.side} side changed (${flaw.how === "digit" ? `digit ${flaw.index} moved by ${flaw.delta}` : `hash of the migration with a ${flaw.how}`})`;
    case "not-restored":
      return flaw.how === "kept the change"
        ? "after_rollback equals after_apply"
        : `after_rollback is before with hex digit ${flaw.index} changed`;
    case "extra-member":
      return `evidence with extra member \`${flaw.name}\`: ${flaw.raw}`;
    case "packet-id":
      return `evidence for packet ${JSON.stringify(flaw.packetId)}`;
    case "scope":
    case "tree-uppercase":
    case "tree-unlisted":
    case "no-op":
    case "digest":
    case "signer":
    case "missing":
    case "typ-confusion":
    case "pass-with-reasons":
      return explainEvidenceFlaw(flaw).what;
  }
}
