/** S3: protected headers with members a valid seal never carries, or carries twice. */
import { createHash } from "node:crypto";
import type { KeyEntry, SealType } from "../../../lane/index.js";
import { keyOf, rawJws } from "../../craft/seal.js";
import type { FamilyContext } from "../../types.js";
import { publicJwkOf, strangerOf } from "../strangers.js";
import type { ExtraMember, SealFlaw } from "./flaws.js";
import { sealerOf, type SlotKind } from "./slots.js";
import { b64url, headerText } from "./text.js";

export async function extraHeader(
  ctx: FamilyContext,
  member: ExtraMember,
  signer: KeyEntry,
  typ: SealType,
  payload: Uint8Array,
  kind: SlotKind,
): Promise<string> {
  const base: Array<readonly [string, unknown]> = [
    ["alg", signer.alg],
    ["kid", signer.kid],
    ["typ", typ],
  ];
  const extra = (members: ReadonlyArray<readonly [string, unknown]>, key = signer): Promise<string> =>
    rawJws(headerText([...base, ...members]), payload, key);
  switch (member) {
    case "crit":
      return extra([["crit", ["exp"]]]);
    case "jwk":
      return extra([["jwk", publicJwkOf(signer)]]);
    case "jwk-injected": {
      // The attacker's own key travels in the header under the genuine kid, and signs.
      const stranger = strangerOf(ctx, sealerOf(kind));
      return extra([["jwk", publicJwkOf(stranger)]], stranger);
    }
    case "jku":
      return extra([["jku", "https://keys.attacker.example/jwks.json"]]);
    case "x5u":
      return extra([["x5u", "https://keys.attacker.example/cert.pem"]]);
    case "x5c":
      return extra([["x5c", [Buffer.from("not a certificate, but who checks").toString("base64")]]]);
    case "x5t":
      return extra([["x5t", b64url(createHash("sha1").update(signer.kid).digest())]]);
    case "b64":
      return extra([
        ["b64", false],
        ["crit", ["b64"]],
      ]);
    case "zip":
      return extra([["zip", "DEF"]]);
    case "cty":
      return extra([["cty", "JWT"]]);
    case "custom":
      return extra([["role", "owner"]]);
  }
}

export async function duplicateHeader(
  ctx: FamilyContext,
  flaw: Extract<SealFlaw, { kind: "duplicate-header" }>,
  signer: KeyEntry,
  typ: SealType,
  payload: Uint8Array,
): Promise<string> {
  const genuine: Record<"alg" | "kid" | "typ", string> = { alg: signer.alg, kid: signer.kid, typ };
  // A forged kid names a key the attacker holds (the operator's), which then signs: a parser that
  // checks the first kid's role but verifies with the last kid's key would be fooled.
  const operator = keyOf(ctx, "operator");
  const forgedValue = {
    alg: "none",
    kid: operator.kid,
    typ: typ === "grant+jws" ? "decision-packet+jws" : "grant+jws",
  }[flaw.member];
  const other = flaw.dup === "same" ? genuine[flaw.member] : forgedValue;
  const [first, last] =
    flaw.dup === "forged-first" ? [other, genuine[flaw.member]] : [genuine[flaw.member], other];
  const members: Array<readonly [string, unknown]> = [
    ["alg", flaw.member === "alg" ? first : genuine.alg],
    ["kid", flaw.member === "kid" ? first : genuine.kid],
    ["typ", flaw.member === "typ" ? first : genuine.typ],
    [flaw.member, last],
  ];
  const key = flaw.member === "kid" && flaw.dup !== "same" ? operator : signer;
  return rawJws(headerText(members), payload, key);
}
