/**
 * The independent verifier: sigstore-js (@sigstore/verify, @sigstore/bundle), which this project
 * did not write. Our DSSE envelope goes into a Sigstore bundle keyed by a public-key hint, with no
 * transparency log and no timestamp authority (thresholds 0): an offline check of the envelope's
 * signature over DSSE's pre-authentication encoding with a raw Ed25519 key.
 */
import { createPublicKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { bundleFromJSON } from "@sigstore/bundle";
import { Verifier, toSignedEntity } from "@sigstore/verify";

interface Envelope {
  readonly payloadType: string;
  readonly payload: string;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

/** The public JWK of kid in a JWK set file (public.jwks.json). */
export async function publicJwk(file: string, kid: string): Promise<Record<string, string>> {
  const set = JSON.parse(await readFile(file, "utf8")) as { keys: Record<string, string>[] };
  const jwk = set.keys.find((key) => key["kid"] === kid);
  if (jwk === undefined) throw new Error(`${file} has no key ${kid}`);
  return { kty: "OKP", crv: "Ed25519", x: jwk["x"] ?? "" };
}

/** Throws unless sigstore-js accepts the envelope as signed by this key. */
export function sigstoreVerify(envelope: Envelope, kid: string, jwk: Record<string, string>): void {
  const bundle = bundleFromJSON({
    mediaType: "application/vnd.dev.sigstore.bundle+json;version=0.2",
    verificationMaterial: {
      publicKey: { hint: kid },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: {
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signatures: envelope.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig })),
    },
  });
  const publicKey = createPublicKey({ key: jwk, format: "jwk" });
  const verifier = new Verifier(
    {
      certificateAuthorities: [],
      timestampAuthorities: [],
      tlogs: [],
      ctlogs: [],
      publicKey: (hint) => {
        if (hint !== kid) throw new Error(`unknown key hint ${hint}`);
        return { publicKey, validFor: () => true };
      },
    },
    { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 0 },
  );
  verifier.verify(toSignedEntity(bundle));
}
