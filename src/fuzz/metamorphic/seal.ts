/**
 * Re-sealing a variant's documents. Only a seal the fuzzer could have made itself is re-sealed: a
 * JWS that an owner key of the keyring under test, signing its own header over canonical JSON,
 * reproduces byte for byte. A forged, malleable or oddly headed seal (P02) is never re-sealed,
 * since re-sealing would repair it; its bytes are kept as they are.
 */
import type { KeyEntry, Keyring, Role } from "../../lane/index.js";
import { headerOf, rawJws } from "../craft/seal.js";
import { canonicalObject, stringMember, textOf, type JsonObject } from "./json.js";

export interface OpenedSeal {
  readonly key: KeyEntry;
  readonly typ: string;
  readonly payload: JsonObject;
}

/** The part's text, when it is strict base64url (no padding, re-encodes to itself) of UTF-8. */
function partText(part: string): string | undefined {
  const bytes = Buffer.from(part, "base64url");
  return bytes.toString("base64url") === part ? textOf(bytes) : undefined;
}

/** The seal opened, when `role`'s key under `typ` reproduces it exactly; undefined otherwise. */
export async function openSeal(
  jws: string,
  keyring: Keyring,
  typ: string,
  role: Role = "owner",
): Promise<OpenedSeal | undefined> {
  const parts = jws.split(".");
  if (parts.length !== 3) return undefined;
  const headerText = partText(parts[0] ?? "");
  const payloadText = partText(parts[1] ?? "");
  if (headerText === undefined || payloadText === undefined) return undefined;
  const header = canonicalObject(headerText);
  const kid = header === undefined ? undefined : stringMember(header, "kid");
  const key = kid === undefined ? undefined : keyring.get(kid);
  if (key === undefined || key.role !== role || key.signKey === undefined) return undefined;
  if (headerText !== headerOf(key, typ)) return undefined;
  const payload = canonicalObject(payloadText);
  if (payload === undefined) return undefined;
  return (await rawJws(headerText, payloadText, key)) === jws ? { key, typ, payload } : undefined;
}

/** The payload sealed by `key` under the seal's own type, as its holder would seal it. */
export function sealWith(key: KeyEntry, typ: string, payload: JsonObject): Promise<string> {
  return rawJws(headerOf(key, typ), JSON.stringify(payload), key);
}
