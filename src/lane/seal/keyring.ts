import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { importJWK, type CryptoKey } from "jose";
import { scanJson } from "../codec/scanner.js";
import { configValidatorFor } from "../codec/schemas.js";
import { isCanonicalBase64url } from "../codec/formats.js";
import { FailclosedError } from "../../kernel/errors.js";
import { PUBLISHED_ED25519_X, PUBLISHED_HMAC_K } from "./example-keys.js";
import type { Role } from "./roles.js";

export type SealAlg = "EdDSA" | "HS256";

/** One key of the keyring. Key objects are opaque; raw secret members are not kept. */
export interface KeyEntry {
  readonly kid: string;
  readonly role: Role;
  readonly alg: SealAlg;
  readonly verifyKey: CryptoKey | Uint8Array;
  /**
   * The same key as a node:crypto KeyObject, made once here: the seal verifier checks signatures
   * with node:crypto on it (verify.ts says why), so no call imports or copies key material.
   */
  readonly verifyKeyObject: KeyObject;
  readonly signKey?: CryptoKey | Uint8Array;
  /** The public JWK (Ed25519 only), for writing public keyrings and for standard JWS libraries. */
  readonly publicJwk?: { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg: "EdDSA"; role: Role };
  readonly source: string;
}

/** S2: keys are found by kid in a Map, never through a path, a query or an object lookup. */
export type Keyring = ReadonlyMap<string, KeyEntry>;

export interface KeyringOptions {
  /** Test mode accepts published example keys and keyrings marked test-only (S7). */
  readonly testMode: boolean;
}

export const MIN_HMAC_SECRET_BYTES = 32;

interface RawJwk {
  kty: "OKP" | "oct";
  kid: string;
  alg: string;
  role: Role;
  crv?: string;
  x?: string;
  d?: string;
  k?: string;
}

function fail(
  code: ConstructorParameters<typeof FailclosedError>[0],
  source: string,
  message: string,
): never {
  throw new FailclosedError(code, `${source}: ${message}`);
}

/** A keyring file's content; `mode` is its permission bits when it came from disk. */
export interface KeyringSource {
  readonly source: string;
  readonly bytes: Uint8Array;
  readonly mode?: number;
}

function readKeyringFile(path: string): KeyringSource {
  try {
    return { source: path, mode: statSync(path).mode, bytes: readFileSync(path) };
  } catch (cause) {
    throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot read the keyring file`, { cause });
  }
}

function parseKeyringFile({ source: path, bytes }: KeyringSource): { keys: RawJwk[]; testOnly: boolean } {
  const scanned = scanJson(bytes);
  if (!scanned.ok)
    fail("KEYRING_INVALID", path, `not strict JSON (${scanned.error.code} at byte ${scanned.error.at ?? 0})`);
  const validate = configValidatorFor("keyring");
  if (!validate(scanned.value)) {
    const first = validate.errors?.[0];
    fail(
      "KEYRING_INVALID",
      path,
      `not a keyring JWK Set (${first?.instancePath ?? ""} ${first?.message ?? "invalid"})`,
    );
  }
  const file = scanned.value as unknown as { keys: RawJwk[]; failclosed_test_only?: boolean };
  return { keys: file.keys, testOnly: file.failclosed_test_only === true };
}

function decodedLength(value: string, source: string, member: string): number {
  if (!isCanonicalBase64url(value))
    fail("KEYRING_INVALID", source, `member ${member} is not canonical base64url`);
  return Buffer.from(value, "base64url").length;
}

async function importEd25519(jwk: RawJwk, source: string, testMode: boolean): Promise<KeyEntry> {
  if (jwk.alg !== "EdDSA")
    fail("KEY_ALG_MISMATCH", source, `key ${jwk.kid}: an Ed25519 key must have alg EdDSA, not ${jwk.alg}`);
  const x = jwk.x ?? "";
  if (decodedLength(x, source, "x") !== 32)
    fail("KEYRING_INVALID", source, `key ${jwk.kid}: x is not 32 bytes`);
  if (!testMode && PUBLISHED_ED25519_X.has(x))
    fail("EXAMPLE_KEY_REFUSED", source, `key ${jwk.kid} is a published example key`);
  const publicJwk = { kty: "OKP", crv: "Ed25519", x, kid: jwk.kid, alg: "EdDSA", role: jwk.role } as const;
  const verifyKey = await importJWK({ kty: "OKP", crv: "Ed25519", x }, "EdDSA");
  const verifyKeyObject = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  const common: KeyEntry = {
    kid: jwk.kid,
    role: jwk.role,
    alg: "EdDSA",
    verifyKey,
    verifyKeyObject,
    publicJwk,
    source,
  };
  if (jwk.d === undefined) return common;
  if (decodedLength(jwk.d, source, "d") !== 32)
    fail("KEYRING_INVALID", source, `key ${jwk.kid}: d is not 32 bytes`);
  // A private half that does not belong to its public half would sign what nobody can verify.
  const derived = createPublicKey(
    createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x, d: jwk.d }, format: "jwk" }),
  );
  if ((derived.export({ format: "jwk" }) as { x?: string }).x !== x) {
    fail("KEYRING_INVALID", source, `key ${jwk.kid}: d does not match x`);
  }
  const signKey = await importJWK({ kty: "OKP", crv: "Ed25519", x, d: jwk.d }, "EdDSA");
  return { ...common, signKey };
}

async function importHmac(jwk: RawJwk, source: string, testMode: boolean): Promise<KeyEntry> {
  if (jwk.alg !== "HS256")
    fail("KEY_ALG_MISMATCH", source, `key ${jwk.kid}: an oct key must have alg HS256, not ${jwk.alg}`);
  const k = jwk.k ?? "";
  if (decodedLength(k, source, "k") < MIN_HMAC_SECRET_BYTES) {
    fail(
      "HMAC_SECRET_TOO_SHORT",
      source,
      `key ${jwk.kid}: an HS256 secret needs at least ${MIN_HMAC_SECRET_BYTES} bytes`,
    );
  }
  if (!testMode && PUBLISHED_HMAC_K.has(k))
    fail("EXAMPLE_KEY_REFUSED", source, `key ${jwk.kid} is a published example key`);
  // Imported once as a non-extractable CryptoKey: handing jose raw bytes makes it re-import the
  // secret on every call (measured 40x slower), and raw bytes would linger in the entry.
  const secret = Buffer.from(k, "base64url");
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
  // createSecretKey copies the secret; the decoded copy is wiped so only the key objects hold it.
  const verifyKeyObject = createSecretKey(secret);
  secret.fill(0);
  return {
    kid: jwk.kid,
    role: jwk.role,
    alg: "HS256",
    verifyKey: key,
    verifyKeyObject,
    signKey: key,
    source,
  };
}

/**
 * Loads one or more JWK Set files into one keyring. The same kid may appear in a public and a
 * private file (the private half then completes the public one); anything else twice is refused.
 */
export async function loadKeyring(paths: readonly string[], options: KeyringOptions): Promise<Keyring> {
  if (paths.length === 0) throw new FailclosedError("KEY_MISSING", "no keyring file given");
  return loadKeyringFromSources(paths.map(readKeyringFile), options);
}

/** The same as loadKeyring, over contents already in memory (tests, the fuzzer's keyrings). */
export async function loadKeyringFromSources(
  sources: readonly KeyringSource[],
  options: KeyringOptions,
): Promise<Keyring> {
  const keyring = new Map<string, KeyEntry>();
  for (const source of sources) {
    const path = source.source;
    const file = parseKeyringFile(source);
    if (file.testOnly && !options.testMode) {
      fail(
        "TEST_KEYRING_REFUSED",
        path,
        "this keyring is marked test-only; use test mode (--test-mode) to load it",
      );
    }
    const holdsSecrets = file.keys.some((key) => key.d !== undefined || key.k !== undefined);
    if (holdsSecrets && !options.testMode && source.mode !== undefined && (source.mode & 0o077) !== 0) {
      fail("KEYRING_PERMISSIONS", path, "holds private keys but is readable by group or others (chmod 600)");
    }
    for (const jwk of file.keys) {
      const entry =
        jwk.kty === "OKP"
          ? await importEd25519(jwk, path, options.testMode)
          : await importHmac(jwk, path, options.testMode);
      keyring.set(jwk.kid, mergeEntry(keyring.get(jwk.kid), entry, path));
    }
  }
  return keyring;
}

function mergeEntry(existing: KeyEntry | undefined, entry: KeyEntry, source: string): KeyEntry {
  if (existing === undefined) return entry;
  const samePublic =
    existing.alg === "EdDSA" &&
    entry.alg === "EdDSA" &&
    existing.role === entry.role &&
    existing.publicJwk?.x === entry.publicJwk?.x &&
    (existing.signKey === undefined || entry.signKey === undefined);
  if (!samePublic)
    fail("KEYRING_INVALID", source, `kid ${entry.kid} appears twice with different keys or roles`);
  return entry.signKey !== undefined ? entry : existing;
}

/**
 * S7 at start-up: the key a component will sign with must exist, hold its private half and have
 * the role the component signs as.
 */
export function requireSigner(keyring: Keyring, role: Role, kid?: string): KeyEntry {
  if (kid !== undefined) {
    const entry = keyring.get(kid);
    if (entry === undefined)
      throw new FailclosedError("KEY_MISSING", `no key with kid ${kid} in the keyring`);
    if (entry.role !== role) {
      throw new FailclosedError(
        "KEY_WRONG_ROLE",
        `key ${kid} has role ${entry.role}, but a ${role} key is needed`,
      );
    }
    if (entry.signKey === undefined)
      throw new FailclosedError("KEY_MISSING", `key ${kid} has no private half here`);
    return entry;
  }
  for (const entry of keyring.values()) if (entry.role === role && entry.signKey !== undefined) return entry;
  throw new FailclosedError("KEY_MISSING", `the keyring holds no private ${role} key`);
}

/** S7: a component that only verifies still needs at least one key of each role it checks. */
export function requireVerifier(keyring: Keyring, role: Role): void {
  for (const entry of keyring.values()) if (entry.role === role) return;
  throw new FailclosedError("KEY_MISSING", `the keyring holds no ${role} key to verify with`);
}
