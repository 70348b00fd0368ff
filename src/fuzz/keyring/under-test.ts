import { createHash, createPrivateKey } from "node:crypto";
import {
  loadKeyringFromSources,
  type Keyring,
  type KeyringSource,
  ROLES,
  type Role,
} from "../../lane/index.js";

/** The keys a run attacks with and the target holds: one per role, a second owner key, and planted canaries. */
export interface KeyringUnderTest {
  /** JWK Set content holding every private key (what the reference target is given). */
  readonly sources: readonly KeyringSource[];
  /** The same keys loaded: the fuzzer seals valid and forged documents with them. */
  readonly keyring: Keyring;
  readonly kids: Readonly<Record<Role, string>>;
  /** Keys the target never saw: for unknown-kid and wrong-key forgeries. */
  readonly stranger: Keyring;
  /** The JWK Sets as objects, for extracting canaries (every secret member). */
  readonly jwkSets: readonly unknown[];
}

// PKCS#8 header of an Ed25519 private key; the 32 bytes after it are the key's seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** An Ed25519 JWK derived from a label: the same salt always gives the same keys, so a finding replays. */
function derivedKey(salt: string, label: string, kid: string, role: Role): Record<string, string> {
  const seed = createHash("sha256").update(`failclosed keyring under test\0${salt}\0${label}`).digest();
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const jwk = key.export({ format: "jwk" }) as { x: string; d: string };
  return { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d, kid, alg: "EdDSA", role, use: "sig" };
}

function sourceOf(name: string, set: unknown): KeyringSource {
  return { source: name, bytes: Buffer.from(JSON.stringify(set), "utf8") };
}

/**
 * Derives the run's keyring from its salt. Canary keys come last, so no component picks one to
 * sign with: they are secrets the target holds and never uses, to be searched for in every output.
 */
export async function deriveKeyringUnderTest(salt: string): Promise<KeyringUnderTest> {
  const short = createHash("sha256").update(salt).digest("hex").slice(0, 8);
  const keys = ROLES.map((role) => derivedKey(salt, role, `${role}-${short}`, role));
  // A second owner key (S1: any key of the role seals): the metamorphic oracle re-seals a probe's
  // packet and grants with it and requires the same answer. Its kid is as long as the first's, so
  // a re-sealed request keeps its exact size (R4's edges). After the role keys: `kids` stays theirs.
  const secondOwner = derivedKey(salt, "owner-second", `owner_${short}`, "owner");
  const canaries = (["gate", "rehearsal"] as const).map((role) =>
    derivedKey(salt, `canary-${role}`, `canary-${role}-${short}`, role),
  );
  const set = { failclosed_test_only: true, keys: [...keys, secondOwner, ...canaries] };
  const strangerSet = {
    failclosed_test_only: true,
    keys: ROLES.map((role) => derivedKey(salt, `stranger-${role}`, `stranger-${role}-${short}`, role)),
  };
  const sources = [sourceOf(`keyring-under-test:${short}`, set)];
  const keyring = await loadKeyringFromSources(sources, { testMode: true });
  const stranger = await loadKeyringFromSources([sourceOf(`stranger:${short}`, strangerSet)], {
    testMode: true,
  });
  const kids = Object.fromEntries(ROLES.map((role, i) => [role, keys[i]?.kid ?? ""])) as Record<Role, string>;
  return { sources, keyring, kids, stranger, jwkSets: [set] };
}
