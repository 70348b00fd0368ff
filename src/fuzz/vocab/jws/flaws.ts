/**
 * P02's flaw table (S1-S6): one named flaw in one seal. Each flaw is drawn for a slot (the
 * packet's, a grant's or the evidence's seal), names the rule it breaks, and forge.ts applies it.
 */
import fc from "fast-check";
import { ROLES, SEAL_TYPES, type Role, type SealType } from "../../../lane/index.js";
import { lookalikes } from "../../craft/malformations.js";
import type { Explained } from "../flaw.js";
import { kindOf, sealerOf, typOf, type Slot, type SlotKind } from "./slots.js";

export type ExtraMember =
  "crit" | "jwk" | "jwk-injected" | "jku" | "x5u" | "x5c" | "x5t" | "b64" | "zip" | "cty" | "custom";

export type SealFlaw =
  /** One alphanumeric character of a string value rotated after signing; the payload stays valid. */
  | { readonly kind: "tamper-payload"; readonly offset: number }
  | { readonly kind: "tamper-signature"; readonly offset: number; readonly bit: number }
  | { readonly kind: "wrong-role"; readonly role: Role }
  /** A key the target never saw, under its own (unknown) kid. */
  | { readonly kind: "unknown-kid" }
  /** A key the target never saw, claiming the genuine signer's kid. */
  | { readonly kind: "stranger-known-kid" }
  /** alg "none": no signature, or the genuine key's valid signature over exactly these bytes. */
  | { readonly kind: "alg-none"; readonly alg: string; readonly signature: "empty" | "kept" }
  /** S2: keys come from a Map by exact kid; never a path, a query or an object's prototype. */
  | { readonly kind: "kid-trick"; readonly pattern: string }
  /** HS256 keyed with the genuine Ed25519 PUBLIC key: the classic algorithm confusion. */
  | { readonly kind: "hs256-public-key"; readonly secret: "x-bytes" | "x-text" | "jwk-json" }
  /** Signed by the genuine key, but the header names another algorithm. */
  | { readonly kind: "alg-mismatch"; readonly alg: string }
  | { readonly kind: "extra-header"; readonly member: ExtraMember }
  | {
      readonly kind: "duplicate-header";
      readonly member: "alg" | "kid" | "typ";
      readonly dup: "same" | "forged-first" | "forged-last";
    }
  | { readonly kind: "typ-other"; readonly typ: string }
  | { readonly kind: "typ-lookalike"; readonly typ: string }
  /** typ is right for the slot; the payload claims another kind. */
  | { readonly kind: "kind-mismatch"; readonly as: SlotKind; readonly how: "document" | "kind-member" }
  | { readonly kind: "padding"; readonly part: Part }
  | {
      readonly kind: "whitespace";
      readonly part: Part;
      readonly char: " " | "\n" | "\r\n" | "\t";
      readonly offset: number;
    }
  /** Signature only: a 64-byte signature always needs padding in the standard alphabet. */
  | { readonly kind: "standard-alphabet" }
  /** Signature only: 86 characters leave 4 unused bits in the last one. */
  | { readonly kind: "trailing-bits"; readonly bits: number }
  | { readonly kind: "parts"; readonly count: 1 | 2 | 4 | 5 }
  | { readonly kind: "detached" };

export type Part = "header" | "payload" | "signature";

const SEAL_TYPE_NAMES = Object.keys(SEAL_TYPES) as SealType[];
const EXTRA_MEMBERS: readonly ExtraMember[] = [
  "crit",
  "jwk",
  "jwk-injected",
  "jku",
  "x5u",
  "x5c",
  "x5t",
  "b64",
  "zip",
  "cty",
  "custom",
];

/** {kid} is the genuine signer's kid, {KID} the same upper-cased. */
const KID_TRICKS = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "../{kid}",
  "{kid}/../{kid}",
  "{kid}?role=owner",
  "{KID}",
  "{kid} ",
  "{kid}\u0000",
];

export function sealFlawArbitrary(slot: Slot): fc.Arbitrary<SealFlaw> {
  const kind = kindOf(slot);
  const typ = typOf(kind);
  const part = fc.constantFrom<Part>("header", "payload", "signature");
  return fc.oneof(
    fc.nat().map((offset): SealFlaw => ({ kind: "tamper-payload", offset })),
    fc
      .record({ offset: fc.nat({ max: 63 }), bit: fc.nat({ max: 7 }) })
      .map(({ offset, bit }): SealFlaw => ({ kind: "tamper-signature", offset, bit })),
    fc
      .constantFrom(...ROLES.filter((r) => r !== sealerOf(kind)))
      .map((role): SealFlaw => ({ kind: "wrong-role", role })),
    fc.constant<SealFlaw>({ kind: "unknown-kid" }),
    fc.constant<SealFlaw>({ kind: "stranger-known-kid" }),
    fc
      .record({
        alg: fc.constantFrom("none", "None", "NONE", "nOnE"),
        signature: fc.constantFrom("empty", "kept"),
      })
      .map(({ alg, signature }): SealFlaw => ({ kind: "alg-none", alg, signature })),
    fc.constantFrom(...KID_TRICKS).map((pattern): SealFlaw => ({ kind: "kid-trick", pattern })),
    fc
      .constantFrom("x-bytes", "x-text", "jwk-json")
      .map((secret): SealFlaw => ({ kind: "hs256-public-key", secret })),
    fc
      .constantFrom("HS256", "HS512", "ES256", "RS256", "PS256", "Ed25519", "eddsa", "EDDSA", "EdDSA ")
      .map((alg): SealFlaw => ({ kind: "alg-mismatch", alg })),
    fc.constantFrom(...EXTRA_MEMBERS).map((member): SealFlaw => ({ kind: "extra-header", member })),
    fc
      .record({
        member: fc.constantFrom("alg", "kid", "typ"),
        dup: fc.constantFrom("same", "forged-first", "forged-last"),
      })
      .map(({ member, dup }): SealFlaw => ({ kind: "duplicate-header", member, dup })),
    fc
      .constantFrom(...SEAL_TYPE_NAMES.filter((t) => t !== typ), "JOSE", "JWT", "jws")
      .map((other): SealFlaw => ({ kind: "typ-other", typ: other })),
    fc
      .constantFrom(...lookalikes(typ), `application/${typ}`)
      .map((spelling): SealFlaw => ({ kind: "typ-lookalike", typ: spelling })),
    fc
      .record({
        as: fc.constantFrom<SlotKind>(
          ...(["decision-packet", "grant", "evidence"] as const).filter((k) => k !== kind),
        ),
        how: fc.constantFrom("document", "kind-member"),
      })
      .map(({ as, how }): SealFlaw => ({ kind: "kind-mismatch", as, how })),
    part.map((p): SealFlaw => ({ kind: "padding", part: p })),
    fc
      .record({ part, char: fc.constantFrom(" ", "\n", "\r\n", "\t"), offset: fc.nat() })
      .map(({ part: p, char, offset }): SealFlaw => ({ kind: "whitespace", part: p, char, offset })),
    fc.constant<SealFlaw>({ kind: "standard-alphabet" }),
    fc.integer({ min: 1, max: 15 }).map((bits): SealFlaw => ({ kind: "trailing-bits", bits })),
    fc.constantFrom(1, 2, 4, 5).map((count): SealFlaw => ({ kind: "parts", count })),
    fc.constant<SealFlaw>({ kind: "detached" }),
  );
}

export function explainSealFlaw(flaw: SealFlaw, slot: Slot): Explained {
  const kind = kindOf(slot);
  switch (flaw.kind) {
    case "tamper-payload":
      return { rule: "S5", what: `payload character changed after signing (offset ${flaw.offset})` };
    case "tamper-signature":
      return { rule: "S2", what: `signature byte ${flaw.offset} bit ${flaw.bit} flipped` };
    case "wrong-role":
      return { rule: "S1", what: `signed by the ${flaw.role} key, not the ${sealerOf(kind)} key` };
    case "unknown-kid":
      return { rule: "S2", what: "signed by a stranger key under an unknown kid" };
    case "stranger-known-kid":
      return { rule: "S2", what: `signed by a stranger key claiming the ${sealerOf(kind)} kid` };
    case "alg-none":
      return {
        rule: "S2",
        what: `alg ${JSON.stringify(flaw.alg)} with ${flaw.signature === "empty" ? "an empty signature" : "a valid signature kept"}`,
      };
    case "kid-trick":
      return { rule: "S2", what: `kid ${JSON.stringify(flaw.pattern)}, signed by the genuine key` };
    case "hs256-public-key":
      return { rule: "S2", what: `alg HS256 keyed with the Ed25519 public key (${flaw.secret})` };
    case "alg-mismatch":
      return { rule: "S2", what: `header alg ${JSON.stringify(flaw.alg)} on an EdDSA key's signature` };
    case "extra-header":
      return { rule: "S3", what: `extra header member ${flaw.member}` };
    case "duplicate-header":
      return { rule: "S3", what: `header member ${flaw.member} twice (${flaw.dup})` };
    case "typ-other":
      return { rule: "S4", what: `typ ${JSON.stringify(flaw.typ)} instead of ${typOf(kind)}` };
    case "typ-lookalike":
      return { rule: "S4", what: `look-alike typ ${JSON.stringify(flaw.typ)}` };
    case "kind-mismatch":
      return {
        rule: "S4",
        what: `payload of kind ${flaw.as} under typ ${typOf(kind)} (${flaw.how === "document" ? `a real ${flaw.as}` : "kind member changed"})`,
      };
    case "padding":
      return { rule: "S3", what: `base64url padding on the ${flaw.part}` };
    case "whitespace":
      return { rule: "S3", what: `${JSON.stringify(flaw.char)} inside the ${flaw.part}'s base64url` };
    case "standard-alphabet":
      return { rule: "S3", what: "signature in the standard base64 alphabet with padding" };
    case "trailing-bits":
      return { rule: "S3", what: `signature's unused trailing bits set (${flaw.bits})` };
    case "parts":
      return { rule: "S2", what: `compact serialization with ${flaw.count} parts` };
    case "detached":
      return { rule: "S6", what: "detached (empty) payload where an attached one is required" };
  }
}
