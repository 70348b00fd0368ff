import type { webcrypto } from "node:crypto";
import type { DocumentsByKind, SealedKind } from "../../lane/codec/documents.js";
import type { KeyEntry } from "../../lane/seal/keyring.js";
import type { Role } from "../../lane/seal/roles.js";
import { sealDocument } from "../../lane/seal/sign.js";
import type { FamilyContext } from "../types.js";

export function keyOf(ctx: FamilyContext, role: Role): KeyEntry {
  const key = ctx.keyring.get(ctx.kids[role]);
  if (key === undefined) throw new Error(`the keyring under test has no ${role} key`);
  return key;
}

/** A correctly sealed document, as the holder of that role's key would make it. */
export function sealAs<K extends SealedKind>(
  ctx: FamilyContext,
  role: Role,
  kind: K,
  doc: DocumentsByKind[K],
): Promise<string> {
  return sealDocument(keyOf(ctx, role), kind, doc);
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64url");

/**
 * A compact JWS over exactly these header and payload bytes, signed for real with `key` (or with
 * no signature). Forgeries need header bytes a well-behaved library would never produce:
 * duplicate members, extra members, another alg. Hand-written for that reason.
 */
export async function rawJws(
  headerText: string,
  payload: Uint8Array | string,
  key: KeyEntry | undefined,
  signAs: "EdDSA" | "HS256" = key?.alg ?? "EdDSA",
): Promise<string> {
  const input = `${b64url(headerText)}.${b64url(payload)}`;
  if (key?.signKey === undefined) return `${input}.`;
  const data = new TextEncoder().encode(input);
  const signature =
    signAs === "HS256"
      ? await crypto.subtle.sign("HMAC", key.signKey as webcrypto.CryptoKey, data)
      : await crypto.subtle.sign({ name: "Ed25519" }, key.signKey as webcrypto.CryptoKey, data);
  return `${input}.${b64url(new Uint8Array(signature))}`;
}

export function headerOf(key: KeyEntry, typ: string): string {
  return JSON.stringify({ alg: key.alg, kid: key.kid, typ });
}
