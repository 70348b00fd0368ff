import { decodeDocument } from "../codec/decode.js";
import type { DocumentsByKind, JwsHeader, SealedKind, SealType } from "../codec/documents.js";
import { SEAL_TYPES } from "../codec/documents.js";
import { isCanonicalBase64url } from "../codec/formats.js";
import type { CodecRejection } from "../codec/rejection.js";
import { scanJson } from "../codec/scanner.js";
import { type Result, err, ok } from "../../kernel/result.js";
import type { KeyEntry, Keyring } from "./keyring.js";
import { SEALING_ROLES } from "./roles.js";
import { signatureHolds } from "./signature.js";

export const SEAL_CODES = [
  "seal_malformed",
  "header_invalid",
  "typ_mismatch",
  "kid_unknown",
  "wrong_role",
  "alg_mismatch",
  "signature_invalid",
  "payload_invalid",
  "kind_mismatch",
  "detached_required",
  "artifact_missing",
] as const;
export type SealCode = (typeof SEAL_CODES)[number];

export interface SealRejection {
  readonly code: SealCode;
  /** For header_invalid and payload_invalid: why the strict codec refused those bytes. */
  readonly codec?: CodecRejection;
}

export interface VerifiedSeal<P> {
  readonly header: JwsHeader;
  readonly key: KeyEntry;
  readonly payload: P;
}

/** A JWS is far smaller than this in every protocol document (R4 caps strings at 4,096). */
const MAX_JWS_LENGTH = 90_000;

function reject(code: SealCode, codec?: CodecRejection): { ok: false; error: SealRejection } {
  return err(codec === undefined ? { code } : { code, codec });
}

interface CheckedSeal {
  readonly header: JwsHeader;
  readonly key: KeyEntry;
  readonly protectedPart: string;
  readonly payloadPart: string;
  readonly signaturePart: string;
}

/** Everything but the payload: format, strict base64url, strict header, kid, role, alg, signature. */
async function checkSeal(
  keyring: Keyring,
  typ: SealType,
  jws: string,
  detachedPayload: Uint8Array | undefined,
): Promise<Result<CheckedSeal, SealRejection>> {
  if (jws.length > MAX_JWS_LENGTH) return reject("seal_malformed");
  const parts = jws.split(".");
  if (parts.length !== 3) return reject("seal_malformed");
  const [protectedPart = "", payloadPart = "", signaturePart = ""] = parts;
  if (protectedPart === "" || signaturePart === "") return reject("seal_malformed");
  for (const part of parts) if (!isCanonicalBase64url(part)) return reject("seal_malformed");
  const detached = payloadPart === "";
  if (typ === "artifact+jws") {
    if (!detached) return reject("detached_required");
    if (detachedPayload === undefined) return reject("artifact_missing");
  } else if (detached) {
    return reject("seal_malformed");
  }
  const header = decodeDocument("jws-header", Buffer.from(protectedPart, "base64url"));
  if (!header.ok) return reject("header_invalid", header.error);
  // R8: compared byte for byte; the header names the type, it never chooses what we accept.
  if (header.value.typ !== typ) return reject("typ_mismatch");
  const key = keyring.get(header.value.kid);
  if (key === undefined) return reject("kid_unknown");
  if (!SEALING_ROLES[typ].includes(key.role)) return reject("wrong_role");
  // S2: the key decides the algorithm; the header must merely agree with it.
  if (header.value.alg !== key.alg) return reject("alg_mismatch");
  const payload = detached
    ? Buffer.from(detachedPayload ?? new Uint8Array()).toString("base64url")
    : payloadPart;
  // RFC 7515 section 5.2: the signature covers the two encoded parts as ASCII. Every check jose
  // made before its signature check is above, stricter (signature.ts says why node:crypto).
  const signingInput = Buffer.from(`${protectedPart}.${payload}`, "latin1");
  const signature = Buffer.from(signaturePart, "base64url");
  if (!(await signatureHolds(key, signingInput, signature))) return reject("signature_invalid");
  return ok({ header: header.value, key, protectedPart, payloadPart, signaturePart });
}

/**
 * Verifies a sealed document of one type, then parses its payload with the strict codec (S5:
 * verify, then parse; only the signed bytes are read).
 */
export async function verifySealedDocument<K extends SealedKind>(
  keyring: Keyring,
  kind: K,
  jws: string,
): Promise<Result<VerifiedSeal<DocumentsByKind[K]>, SealRejection>> {
  const typ = `${kind}+jws` as SealType;
  if (SEAL_TYPES[typ] !== kind) return reject("typ_mismatch");
  const checked = await checkSeal(keyring, typ, jws, undefined);
  if (!checked.ok) return checked;
  const payloadBytes = Buffer.from(checked.value.payloadPart, "base64url");
  const payload = decodeDocument(kind, payloadBytes);
  if (!payload.ok) {
    // S4: a payload whose kind disagrees with typ is a type confusion, not a mere schema error.
    return reject(claimsOtherKind(payloadBytes, kind) ? "kind_mismatch" : "payload_invalid", payload.error);
  }
  return ok({ header: checked.value.header, key: checked.value.key, payload: payload.value });
}

/** The payload's own `kind` member, read strictly, names a kind other than the seal's type. */
function claimsOtherKind(bytes: Uint8Array, kind: SealedKind): boolean {
  const scanned = scanJson(bytes);
  if (
    !scanned.ok ||
    scanned.value === null ||
    typeof scanned.value !== "object" ||
    Array.isArray(scanned.value)
  ) {
    return false;
  }
  const claimed = (scanned.value as { readonly [member: string]: unknown })["kind"];
  return claimed !== undefined && claimed !== kind;
}

/** S6: verifies a detached artifact seal over exactly these bytes. */
export async function verifyArtifactSeal(
  keyring: Keyring,
  jws: string,
  bytes: Uint8Array,
): Promise<Result<VerifiedSeal<Uint8Array>, SealRejection>> {
  const checked = await checkSeal(keyring, "artifact+jws", jws, bytes);
  if (!checked.ok) return checked;
  return ok({ header: checked.value.header, key: checked.value.key, payload: bytes });
}
