/** Keys the target under test never saw (unknown-kid and wrong-key forgeries), and public halves. */
import type { KeyEntry, Role } from "../../lane/index.js";
import type { FamilyContext } from "../types.js";

export function strangerOf(ctx: FamilyContext, role: Role): KeyEntry {
  for (const entry of ctx.strangerKeyring.values()) {
    if (entry.role === role && entry.signKey !== undefined) return entry;
  }
  throw new Error(`the stranger keyring has no private ${role} key`);
}

export function publicJwkOf(key: KeyEntry): { kty: "OKP"; crv: "Ed25519"; x: string } {
  if (key.publicJwk === undefined) throw new Error(`key ${key.kid} has no public JWK`);
  return { kty: "OKP", crv: "Ed25519", x: key.publicJwk.x };
}
