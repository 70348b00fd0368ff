/**
 * The signature check of a seal, on node:crypto rather than jose (issue #17).
 *
 * Why hand-rolled: jose verifies through WebCrypto, which for every seal wraps the key, hops to the
 * thread pool and, for every forged seal, builds an error with a stack; measured, that cost a
 * decision about twice the Ed25519 verification itself. Everything jose checked before the
 * signature is done explicitly and more strictly by verify.ts first (three canonical base64url
 * parts, a header of exactly {alg, kid, typ} through the strict codec, the key found by kid in a
 * Map, its role, and the header's alg equal to the key's own, S2/S3), so what is left is the
 * signature over `protected "." payload` (RFC 7515 section 5.2), checked here with the KeyObject
 * the keyring made once at load. jose still signs and parses JWKs; test/lane/seal proves that this
 * check and jose's compactVerify agree on every seal the strict checks let through.
 */
import { createHmac, timingSafeEqual, verify } from "node:crypto";
import type { KeyEntry } from "./keyring.js";

/** RFC 8032: an Ed25519 signature is exactly 64 bytes. */
const ED25519_SIGNATURE_BYTES = 64;
/** RFC 7518 section 3.2: HS256's MAC is the full 32-byte HMAC-SHA256, never truncated. */
const HS256_MAC_BYTES = 32;

/**
 * Whether `signature` is the key's signature over `signingInput`. Never throws and never rejects:
 * anything unexpected (a key object of the wrong kind, an error inside node:crypto) is false.
 */
export function signatureHolds(key: KeyEntry, signingInput: Buffer, signature: Buffer): Promise<boolean> {
  switch (key.alg) {
    case "EdDSA":
      return ed25519Holds(key, signingInput, signature);
    case "HS256":
      return Promise.resolve(hs256Holds(key, signingInput, signature));
    default:
      return unsupported(key.alg);
  }
}

/** Exhaustive at compile time (a new SealAlg must be handled above); closed at run time. */
function unsupported(_alg: never): Promise<boolean> {
  return Promise.resolve(false);
}

/**
 * Ed25519 on node:crypto's thread pool (the callback form): the verification itself (~115 µs)
 * does not hold the event loop, so concurrent decisions, the codec and the ledger's replies keep
 * moving, and a request's seals can be checked side by side on both cores.
 */
function ed25519Holds(key: KeyEntry, signingInput: Buffer, signature: Buffer): Promise<boolean> {
  const keyObject = key.verifyKeyObject;
  if (
    signature.length !== ED25519_SIGNATURE_BYTES ||
    keyObject.type !== "public" ||
    keyObject.asymmetricKeyType !== "ed25519"
  ) {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    try {
      verify(null, signingInput, keyObject, signature, (error, valid) => resolve(error === null && valid));
    } catch {
      resolve(false);
    }
  });
}

/** HS256 takes ~3 µs: computed inline, compared in constant time. */
function hs256Holds(key: KeyEntry, signingInput: Buffer, signature: Buffer): boolean {
  const keyObject = key.verifyKeyObject;
  if (signature.length !== HS256_MAC_BYTES || keyObject.type !== "secret") return false;
  try {
    const expected = createHmac("sha256", keyObject).update(signingInput).digest();
    return timingSafeEqual(expected, signature);
  } catch {
    return false;
  }
}
