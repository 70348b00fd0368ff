import { flattenedVerify } from "jose";
import type { KeyEntry, Keyring } from "../../lane/index.js";
import type { OracleInput } from "../types.js";

function headerKid(part: string): string | undefined {
  try {
    const kid = (JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as { kid?: unknown }).kid;
    return typeof kid === "string" ? kid : undefined;
  } catch {
    return undefined;
  }
}

async function signedBy(
  key: KeyEntry,
  protectedPart: string,
  payload: string,
  signature: string,
): Promise<boolean> {
  try {
    await flattenedVerify({ protected: protectedPart, payload, signature }, key.verifyKey, {
      algorithms: [key.alg],
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * For the leak oracle: which role's key under test made this JWS, judged by its signature alone.
 * Type and payload are deliberately ignored: a gate that leaks a seal with an odd type or a
 * malformed payload has still leaked a seal. The header's kid is tried first, then every key, so
 * a seal whose header names no kid (or a wrong one) is still recognised.
 */
export function sealedByKeyring(keyring: Keyring): OracleInput["sealedBy"] {
  const keys = [...keyring.values()];
  return async (jws, scope = "any") => {
    const [protectedPart = "", payload = "", signature = ""] = jws.split(".");
    if (protectedPart === "" || signature === "") return undefined;
    const named = keyring.get(headerKid(protectedPart) ?? "");
    const others = keys.filter((k) => k !== named);
    const tried =
      named === undefined
        ? { any: keys, named: [], others }
        : { any: [named, ...others], named: [named], others };
    for (const key of tried[scope]) {
      if (await signedBy(key, protectedPart, payload, signature)) return key.role;
    }
    return undefined;
  };
}
