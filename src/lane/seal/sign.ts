import { CompactSign, FlattenedSign } from "jose";
import { decodeDocument } from "../codec/decode.js";
import { encodeDocument } from "../codec/encode.js";
import type { DocumentsByKind, SealedKind, SealType } from "../codec/documents.js";
import type { SEAL_TYPES } from "../codec/documents.js";
import { FailclosedError } from "../../kernel/errors.js";
import type { KeyEntry } from "./keyring.js";
import { SEALING_ROLES } from "./roles.js";

type TypeOfKind<K extends SealedKind> = {
  [T in SealType]: (typeof SEAL_TYPES)[T] extends K ? T : never;
}[SealType];

/** S1 on the signing side: the key's role may seal this type, and its private half is here. */
export function checkSigner(key: KeyEntry, typ: SealType): NonNullable<KeyEntry["signKey"]> {
  if (!SEALING_ROLES[typ].includes(key.role)) {
    throw new FailclosedError("KEY_WRONG_ROLE", `key ${key.kid} (role ${key.role}) may not seal ${typ}`);
  }
  if (key.signKey === undefined)
    throw new FailclosedError("KEY_MISSING", `key ${key.kid} has no private half here`);
  return key.signKey;
}

/** Seals a document as a compact JWS; the header is exactly {alg, kid, typ} (S3). */
export async function sealDocument<K extends SealedKind>(
  key: KeyEntry,
  kind: K,
  doc: DocumentsByKind[K],
): Promise<string> {
  // encodeDocument has already decoded its bytes with the strict codec (it refuses to emit what
  // the codec rejects), so they are signed without a second, identical check.
  return signCompact(key, kind, encodeDocument(kind, doc));
}

/**
 * Seals these exact bytes after the strict codec accepts them as a document of this kind, so what
 * an owner wrote is what is signed, byte for byte. Refuses (DOCUMENT_INVALID) anything else.
 */
export async function sealDocumentBytes(key: KeyEntry, kind: SealedKind, bytes: Uint8Array): Promise<string> {
  checkSigner(key, typeOf(kind));
  const decoded = decodeDocument(kind, bytes);
  if (!decoded.ok) {
    const where =
      decoded.error.path ?? (decoded.error.at === undefined ? "" : ` at byte ${decoded.error.at}`);
    throw new FailclosedError(
      "DOCUMENT_INVALID",
      `not a valid ${kind} document: ${decoded.error.code} (${decoded.error.rule})${where}`,
    );
  }
  return signCompact(key, kind, bytes);
}

function typeOf(kind: SealedKind): TypeOfKind<typeof kind> {
  return `${kind}+jws` as TypeOfKind<typeof kind>;
}

/** The compact JWS over bytes the strict codec has already accepted as a document of this kind. */
function signCompact(key: KeyEntry, kind: SealedKind, bytes: Uint8Array): Promise<string> {
  const typ = typeOf(kind);
  const signKey = checkSigner(key, typ);
  return new CompactSign(bytes).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(signKey);
}

/** S6: a detached seal over an artifact's exact bytes, as `header..signature`. */
export async function sealArtifact(key: KeyEntry, bytes: Uint8Array): Promise<string> {
  const typ = "artifact+jws";
  const signKey = checkSigner(key, typ);
  const jws = await new FlattenedSign(bytes)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ })
    .sign(signKey);
  return `${jws.protected}..${jws.signature}`;
}
