/**
 * Signs a JWS signing input for the fuzzer's own seals (rawJws, sealAs) with node:crypto's one-shot
 * sign, in the calling thread, where the key allows it. Rendering seals four or five documents per
 * probe. An Ed25519 signature costs about 35 µs of CPU; WebCrypto, and node:crypto's own thread-pool
 * form alike, spend about as much again on the main thread just to hand the job over and take it
 * back (argument conversion, a job object, a promise), and then the signature itself on a pool
 * thread: on a loaded two-core machine that is twice the CPU for the same bytes. Measured on the
 * engine benchmark, signing here instead of through WebCrypto saved 0.2-0.3 ms per probe.
 *
 * The bytes are the same either way (Ed25519 and HMAC are deterministic; a test holds the two
 * paths equal). Anything else (raw secret bytes, a key asked to sign with another algorithm than
 * its own, as some forgeries do) goes through WebCrypto exactly as before, so it fails, or not,
 * the same way.
 */
import { createHmac, KeyObject, sign, type webcrypto } from "node:crypto";
import type { KeyEntry, SealAlg } from "../../lane/index.js";

type SignKey = NonNullable<KeyEntry["signKey"]>;

/** What node:crypto can sign with exactly as WebCrypto would, or undefined. */
function nodeKind(signAs: SealAlg, key: SignKey): "ed25519" | "hmac" | undefined {
  if (key instanceof Uint8Array || !key.usages.includes("sign")) return undefined;
  const algorithm = key.algorithm as { readonly name: string; readonly hash?: { readonly name: string } };
  if (signAs === "EdDSA" && algorithm.name === "Ed25519") return "ed25519";
  if (signAs === "HS256" && algorithm.name === "HMAC" && algorithm.hash?.name === "SHA-256") return "hmac";
  return undefined;
}

async function viaWebCrypto(signAs: SealAlg, key: SignKey, data: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = key as webcrypto.CryptoKey;
  const signature =
    signAs === "HS256"
      ? await crypto.subtle.sign("HMAC", cryptoKey, data)
      : await crypto.subtle.sign({ name: "Ed25519" }, cryptoKey, data);
  return new Uint8Array(signature);
}

export async function signBytes(signAs: SealAlg, key: SignKey, data: Uint8Array): Promise<Uint8Array> {
  const kind = nodeKind(signAs, key);
  switch (kind) {
    case "ed25519":
      return new Uint8Array(sign(null, data, KeyObject.from(key as webcrypto.CryptoKey)));
    case "hmac":
      return new Uint8Array(
        createHmac("sha256", KeyObject.from(key as webcrypto.CryptoKey))
          .update(data)
          .digest(),
      );
    case undefined:
      return viaWebCrypto(signAs, key, data);
  }
}
