/**
 * DSSE envelopes (github.com/secure-systems-lab/dsse, protocol v1): the signature covers the
 * pre-authentication encoding of the payload type and the payload, never the JSON around them.
 * PAE is written here because the one JavaScript implementation, @sigstore/core's
 * dsse.preAuthEncoding, needs Node 20.17 or 22 (we support 20.11), and the encoding is one line
 * of the spec; test/eco/attest.test.ts checks our envelopes with in-toto's own Python verifier.
 */
import { webcrypto } from "node:crypto";
import type { KeyEntry } from "../lane/index.js";
import { FailclosedError } from "../kernel/errors.js";

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

export interface DsseEnvelope {
  readonly payloadType: string;
  /** Standard base64 (RFC 4648 section 4), as the DSSE spec's JSON envelope has it. */
  readonly payload: string;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal bytes. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

/** An Ed25519 key with its private half: HMAC secrets cannot make a signature a verifier trusts. */
export function requireEd25519Signer(entry: KeyEntry): webcrypto.CryptoKey {
  if (entry.alg !== "EdDSA" || entry.signKey === undefined || entry.signKey instanceof Uint8Array)
    throw new FailclosedError(
      "KEY_ALG_MISMATCH",
      `key ${entry.kid} is not an Ed25519 private key: attestations are signed with Ed25519 only`,
    );
  return entry.signKey;
}

export async function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  entry: KeyEntry,
): Promise<DsseEnvelope> {
  const key = requireEd25519Signer(entry);
  const signature = await webcrypto.subtle.sign("Ed25519", key, preAuthEncoding(payloadType, payload));
  return {
    payloadType,
    payload: Buffer.from(payload).toString("base64"),
    signatures: [{ keyid: entry.kid, sig: Buffer.from(signature).toString("base64") }],
  };
}
