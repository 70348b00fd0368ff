import { generateKeyPairSync, randomBytes } from "node:crypto";

/** A private Ed25519 JWK in the keyring file format (schemas/keyring.schema.json). */
export interface CanaryJwk {
  readonly kty: "OKP";
  readonly crv: "Ed25519";
  readonly x: string;
  readonly d: string;
  readonly kid: string;
  readonly alg: "EdDSA";
  readonly role: "gate";
  readonly use: "sig";
}

export const CANARY_KID_PREFIX = "canary-";

/**
 * A fresh key to add to the keyring under test, so every run has at least one secret that exists
 * nowhere else and any sighting of it is a leak (Jazzer.js's detectors plant a sentinel the same
 * way). It is a real, loadable gate key because the leak most worth catching is a component dumping
 * the keys it holds for signing; a key of no role would be dropped or refused by a strict loader.
 * Add it after the real gate key: components that take the first private gate key keep signing
 * with the real one.
 */
export function plantCanaryKey(): CanaryJwk {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" }) as { x?: string; d?: string };
  if (jwk.x === undefined || jwk.d === undefined) throw new Error("node:crypto exported no Ed25519 JWK");
  return {
    kty: "OKP",
    crv: "Ed25519",
    x: jwk.x,
    d: jwk.d,
    kid: `${CANARY_KID_PREFIX}${randomBytes(8).toString("hex")}`,
    alg: "EdDSA",
    role: "gate",
    use: "sig",
  };
}
