import { SEAL_TYPES, type SealType } from "../../lane/codec/documents.js";
import type { Keyring } from "../../lane/seal/keyring.js";
import { isSealType } from "../../lane/seal/roles.js";
import { verifySealedDocument } from "../../lane/seal/verify.js";
import type { OracleInput } from "../types.js";

function headerType(jws: string): SealType | undefined {
  const header = jws.split(".")[0] ?? "";
  try {
    const typ = (JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { typ?: unknown }).typ;
    return typeof typ === "string" && isSealType(typ) ? typ : undefined;
  } catch {
    return undefined;
  }
}

/** For the leak oracle: which role's key under test, if any, made this JWS. */
export function sealedByKeyring(keyring: Keyring): OracleInput["sealedBy"] {
  return async (jws) => {
    const typ = headerType(jws);
    const kind = typ === undefined ? null : SEAL_TYPES[typ];
    if (kind === null || kind === undefined) return undefined;
    const verified = await verifySealedDocument(keyring, kind, jws);
    return verified.ok ? verified.value.key.role : undefined;
  };
}
