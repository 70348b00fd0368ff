import { createHash } from "node:crypto";
import fc from "fast-check";
import {
  authorizedParts,
  formatTimestamp,
  headerOf,
  idFor,
  keyOf,
  LANE_REASONS,
  labelOf,
  lookalikes,
  passingEvidence,
  PACKET_ID,
  rawJws,
  renderMutated,
  request,
  sealAs,
  type FamilyContext,
  type KeyEntry,
  type LaneReason,
  type Mutation,
  type ProbeFamily,
  entropy,
} from "../src/index.js";

/**
 * P09 evidence-tamper (SPEC C6, E1-E4, G4): the fully authorised QT001_APPLY request, with exactly
 * one flaw in the rehearsal evidence it carries (or in how the packet and grant bind to it). A
 * correct gate allows the untouched request and must DENY every one of these.
 */

type Digest = "before" | "after_apply" | "after_rollback";
type Malformed = "null" | "upper" | "short" | "long" | "prefixed" | "non-hex" | "empty";

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

interface Value {
  readonly entropy: number;
  readonly flaw: EvidenceFlaw;
}

const HEX = "0123456789abcdef";

const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The hex text with the digit at `index` moved by `delta` (1-15): always another digit. */
function changeDigit(hex: string, index: number, delta: number): string {
  const i = index % hex.length;
  const digit = HEX.indexOf(hex[i] ?? "0");
  return `${hex.slice(0, i)}${HEX[(digit + delta) % 16] ?? "0"}${hex.slice(i + 1)}`;
}

/** Uppercase hex that always differs from the lowercase text (a digest without letters gets one). */
function upperHex(hex: string): string {
  return /[a-f]/.test(hex) ? hex.toUpperCase() : `A${hex.slice(1)}`;
}

function malformedDigest(hex: string, how: Malformed): string | null {
  switch (how) {
    case "null":
      return null;
    case "upper":
      return upperHex(hex);
    case "short":
      return hex.slice(0, 63);
    case "long":
      return `${hex}0`;
    case "prefixed":
      return `sha256:${hex}`;
    case "non-hex":
      return `${hex.slice(0, 63)}g`;
    case "empty":
      return "";
  }
}

const lowerHex = (n: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: n });
const delta = fc.integer({ min: 1, max: 15 });
const reasonsArb = fc.subarray([...LANE_REASONS], { minLength: 1, maxLength: 3 });

const flawArb: fc.Arbitrary<EvidenceFlaw> = fc.oneof(
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
function ruleOf(flaw: EvidenceFlaw): string {
  switch (flaw.kind) {
    case "verdict":
      return `G4: evidence verdict ${flaw.verdict}, not PASS`;
    case "scope":
      return `G4: evidence scope ${JSON.stringify(flaw.scope)}, not clone`;
    case "tree-digit":
      return "G4: evidence tree id not listed in the packet (one hex digit changed)";
    case "tree-uppercase":
      return flaw.where === "evidence"
        ? "E2: evidence tree id in uppercase hex"
        : "E2: the packet lists the tree id in uppercase hex";
    case "tree-unlisted":
      return `G4: evidence tree id not listed in the packet (it lists ${flaw.packetLists})`;
    case "artifact":
      return `G4: evidence artifact_sha256 differs from the grant's (${flaw.side} side, ${flaw.how})`;
    case "packet-id":
      return "G4: evidence for another packet";
    case "no-op":
      return "C6: after_apply equals before (the migration changed nothing)";
    case "not-restored":
      return `C6: after_rollback differs from before (${flaw.how})`;
    case "digest":
      return `C6: digest ${flaw.member} ${flaw.malformed === "null" ? "null" : `malformed (${flaw.malformed})`}`;
    case "signer":
      return `G4: evidence sealed by ${flaw.role === "stranger rehearsal" ? "a rehearsal key the gate does not know" : `the ${flaw.role} key`}, not the rehearsal key`;
    case "extra-member":
      return `E3: evidence with extra member ${flaw.name}`;
    case "missing":
      return `G4: QT001_APPLY with evidence ${flaw.how}`;
    case "typ-confusion":
      return `S4: evidence replaced by ${flaw.replacedBy}`;
    case "pass-with-reasons":
      return `C6: PASS with reasons ${flaw.reasons.join(", ")}`;
  }
}

function strangerRehearsal(ctx: FamilyContext): KeyEntry {
  for (const entry of ctx.strangerKeyring.values()) if (entry.role === "rehearsal") return entry;
  throw new Error("the stranger keyring has no rehearsal key");
}

/** Signs these payload bytes as the key's holder would, with a header naming `typ`. */
function sealBytes(key: KeyEntry, typ: string, payload: Uint8Array): Promise<string> {
  return rawJws(headerOf(key, typ), payload, key);
}

async function render(value: Value, ctx: FamilyContext): Promise<Uint8Array> {
  const { flaw } = value;
  const label = labelOf(value);
  const parts = authorizedParts(ctx, label, "QT001_APPLY");
  const { artifactSha256, evidenceTree } = parts;
  if (artifactSha256 === undefined || evidenceTree === undefined) throw new Error("QT001_APPLY has evidence");
  const owner = keyOf(ctx, "owner");
  const rehearsal = keyOf(ctx, "rehearsal");

  // The documents as a correct holder would make them; the flaw below bends exactly one thing.
  let packet: Record<string, unknown> = { ...parts.packet };
  let grants = parts.grants.map((g) => ({ ...g }));
  const claims: Record<string, unknown> = {
    ...passingEvidence(ctx, label, artifactSha256, evidenceTree, parts.packet.packet_id),
  };
  let evidenceKey = rehearsal;
  let evidenceTyp = "evidence+jws";
  let evidence: string | undefined;
  const requestMutations: Mutation[] = [];
  const evidenceMutations: Mutation[] = [];

  const packetJws = (): Promise<string> => sealBytes(owner, "decision-packet+jws", renderMutated(packet, []));
  const grantJws = (): Promise<string[]> => Promise.all(grants.map((g) => sealAs(ctx, "owner", "grant", g)));

  switch (flaw.kind) {
    case "verdict":
      claims["verdict"] = flaw.verdict;
      claims["reasons"] = flaw.reasons;
      break;
    case "scope":
      claims["scope"] = flaw.scope;
      break;
    case "tree-digit":
      claims["tree"] = changeDigit(evidenceTree, flaw.index, flaw.delta);
      break;
    case "tree-uppercase":
      if (flaw.where === "evidence") claims["tree"] = upperHex(evidenceTree);
      else packet = { ...packet, evidence: [upperHex(evidenceTree)] };
      break;
    case "tree-unlisted":
      packet = {
        ...packet,
        evidence: flaw.packetLists === "nothing" ? [] : [changeDigit(evidenceTree, 0, 8)],
      };
      break;
    case "artifact": {
      // authorizedParts hashes `migration\0<label>`: the other bytes are that text re-saved by an
      // editor (S6), which is exactly how a rehearsed artifact and the granted one drift apart.
      const other =
        flaw.how === "digit"
          ? changeDigit(artifactSha256, flaw.index, flaw.delta)
          : sha256Hex(
              flaw.how === "trailing newline" ? `migration\0${label}\n` : `\ufeffmigration\0${label}`,
            );
      if (flaw.side === "evidence") claims["artifact_sha256"] = other;
      else grants = grants.map((g) => (g.action === "QT001_APPLY" ? { ...g, artifact_sha256: other } : g));
      break;
    }
    case "packet-id":
      claims["packet_id"] = flaw.packetId;
      break;
    case "no-op":
      claims["after_apply"] = claims["before"];
      break;
    case "not-restored":
      claims["after_rollback"] =
        flaw.how === "kept the change"
          ? claims["after_apply"]
          : changeDigit(String(claims["before"]), flaw.index, 1);
      break;
    case "digest":
      claims[flaw.member] = malformedDigest(String(claims[flaw.member]), flaw.malformed);
      break;
    case "signer":
      evidenceKey = flaw.role === "stranger rehearsal" ? strangerRehearsal(ctx) : keyOf(ctx, flaw.role);
      break;
    case "extra-member":
      evidenceMutations.push({ kind: "add", path: [], name: flaw.name, raw: flaw.raw });
      break;
    case "missing":
      if (flaw.how === "absent") requestMutations.push({ kind: "remove", path: ["evidence"] });
      else
        requestMutations.push({
          kind: "replace",
          path: ["evidence"],
          raw: flaw.how === "null" ? "null" : '""',
        });
      break;
    case "typ-confusion":
      switch (flaw.replacedBy) {
        case "packet JWS":
          evidence = await packetJws();
          break;
        case "grant JWS":
          evidence = (await grantJws()).at(-1);
          break;
        case "permit JWS":
          evidence = await sealAs(ctx, "gate", "permit", {
            kind: "permit",
            v: 1,
            permit_id: idFor(ctx, "permit", label),
            request_id: idFor(ctx, "req", label),
            packet_id: PACKET_ID,
            action: "QT001_APPLY",
            target: "production",
            grants: parts.grants.map((g) => g.grant_id),
            issued_at: formatTimestamp(ctx.now),
            expires_at: formatTimestamp(ctx.now + 900),
          });
          break;
        case "evidence under packet typ":
          evidenceTyp = "decision-packet+jws";
          break;
        case "packet under evidence typ":
          evidence = await sealBytes(rehearsal, "evidence+jws", renderMutated(packet, []));
          break;
      }
      break;
    case "pass-with-reasons":
      claims["reasons"] = flaw.reasons;
      break;
  }

  evidence ??= await sealBytes(evidenceKey, evidenceTyp, renderMutated(claims, evidenceMutations));
  const doc = request(ctx, label, "QT001_APPLY", await packetJws(), await grantJws(), evidence);
  return renderMutated(doc, requestMutations);
}

function describe(value: Value): string {
  const { flaw } = value;
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
      return ruleOf(flaw).replace(/^[A-Z][0-9]: /, "");
  }
}

export const family: ProbeFamily<Value> = {
  id: "P09",
  name: "evidence-tamper",
  operation: "decide",
  role: "attack",
  rules: ["C6", "E2", "E3", "G4", "S4"],
  minRuns: 1_000,
  arbitrary: () => fc.record({ entropy: entropy(), flaw: flawArb }),
  render,
  breaks: (value) => ruleOf(value.flaw),
  describe,
};
