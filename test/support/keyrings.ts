/**
 * Keyrings for tests: freshly generated (never a published example key), loaded through the same
 * loadKeyringFromSources the components use, plus helpers to craft compact JWS byte for byte so a
 * test can put a correct signature under a header the verifier must still refuse.
 */
import { createHmac, createPrivateKey, sign as edSign } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  GeneratedKeyring,
  JwkSetFile,
  KeyEntry,
  Keyring,
  KeyringSource,
  Role,
} from "../../src/lane/seal/index.js";
import {
  PUBLIC_KEYRING_FILE,
  ROLES,
  combinedPrivateSet,
  generateKeyring,
  loadKeyringFromSources,
  privateKeyringFile,
  requireSigner,
} from "../../src/lane/seal/index.js";

export type TestAlg = "EdDSA" | "HS256";

export interface TestKeyring {
  readonly alg: TestAlg;
  readonly generated: GeneratedKeyring;
  /** Every role's key, private halves included, loaded as a component would load them. */
  readonly keyring: Keyring;
  /** The signing entry of a role (throws when the keyring has none: a broken test setup). */
  signer(role: Role): KeyEntry;
  /** The role's private JWK as written to its file, for standard JWS libraries and raw signing. */
  privateJwk(role: Role): Record<string, string>;
}

/** The in-memory form of a JWK Set file, as a keyring source (no mode: permissions not checked). */
export function sourceOf(set: JwkSetFile | object, source = "memory:keyring", mode?: number): KeyringSource {
  const bytes = new Uint8Array(Buffer.from(JSON.stringify(set), "utf8"));
  return mode === undefined ? { source, bytes } : { source, bytes, mode };
}

export async function makeKeyring(
  options: { alg?: TestAlg; roles?: readonly Role[]; testOnly?: boolean } = {},
): Promise<TestKeyring> {
  const alg = options.alg ?? "EdDSA";
  const generated = await generateKeyring({
    alg,
    roles: options.roles ?? ROLES,
    testOnly: options.testOnly ?? false,
  });
  const sources = [sourceOf(combinedPrivateSet(generated), "memory:private")];
  // HS256 has no public half: the public set is empty and the keyring schema needs >= 1 key.
  if (generated.publicSet.keys.length > 0) sources.push(sourceOf(generated.publicSet, "memory:public"));
  const keyring = await loadKeyringFromSources(sources, { testMode: options.testOnly ?? false });
  return {
    alg,
    generated,
    keyring,
    signer: (role) => requireSigner(keyring, role),
    privateJwk: (role) => {
      const jwk = generated.privateByRole.get(role)?.keys[0];
      if (jwk === undefined) throw new Error(`test keyring has no ${role} key`);
      return jwk;
    },
  };
}

/** A keyring holding only the public halves (what a verifying component loads). */
export async function publicOnlyKeyring(generated: GeneratedKeyring): Promise<Keyring> {
  return loadKeyringFromSources([sourceOf(generated.publicSet, "memory:public")], { testMode: false });
}

export interface KeyringDir {
  readonly dir: string;
  readonly publicPath: string;
  readonly privatePaths: ReadonlyMap<Role, string>;
}

/** Writes a generated keyring the way `keys init` lays it out: 0600 private files, 0644 public. */
export async function writeKeyringDir(
  generated: GeneratedKeyring,
  dir: string,
  privateMode = 0o600,
): Promise<KeyringDir> {
  const privatePaths = new Map<Role, string>();
  for (const [role, set] of generated.privateByRole) {
    const path = join(dir, privateKeyringFile(role));
    await writeFile(path, JSON.stringify(set));
    // chmod after writing: the process umask must not decide the mode under test.
    await chmod(path, privateMode);
    privatePaths.set(role, path);
  }
  const publicPath = join(dir, PUBLIC_KEYRING_FILE);
  await writeFile(publicPath, JSON.stringify(generated.publicSet));
  await chmod(publicPath, 0o644);
  return { dir, publicPath, privatePaths };
}

/** A fresh temporary directory and its removal. */
export async function tempDir(
  prefix = "failclosed-test-",
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function b64u(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64url");
}

export type RawSigner = (signingInput: Uint8Array) => Uint8Array;

/** Signs with a private JWK directly through node:crypto, bypassing every check of the lane. */
export function rawSigner(jwk: Readonly<Record<string, string>>): RawSigner {
  if (jwk["kty"] === "oct") {
    const secret = Buffer.from(jwk["k"] ?? "", "base64url");
    return (input) => new Uint8Array(createHmac("sha256", secret).update(input).digest());
  }
  const key = createPrivateKey({
    key: { kty: "OKP", crv: "Ed25519", x: jwk["x"], d: jwk["d"] },
    format: "jwk",
  });
  return (input) => new Uint8Array(edSign(null, input, key));
}

/** HMAC-SHA256 with an arbitrary secret (alg confusion: a public key used as an HMAC secret). */
export function hmacSigner(secret: Uint8Array): RawSigner {
  return (input) => new Uint8Array(createHmac("sha256", secret).update(input).digest());
}

/**
 * A compact JWS built byte for byte: `headerJson` is used verbatim (so it may hold duplicate or
 * extra members), the payload is attached unless `detached`, and the signature covers
 * `b64url(header) "." b64url(payload)` as RFC 7515 says.
 */
export function craftJws(
  headerJson: string,
  payload: Uint8Array,
  signer: RawSigner,
  options: { detached?: boolean } = {},
): string {
  const protectedPart = b64u(headerJson);
  const payloadPart = b64u(payload);
  const signature = signer(new Uint8Array(Buffer.from(`${protectedPart}.${payloadPart}`, "ascii")));
  return `${protectedPart}.${options.detached === true ? "" : payloadPart}.${b64u(signature)}`;
}

/** The standard header of a seal, as JSON text. */
export function headerJson(alg: string, kid: string, typ: string): string {
  return JSON.stringify({ alg, kid, typ });
}
