/**
 * The keyring under test holds every role's private key (the fuzzer seals with them) and maybe
 * planted canary keys. No component of the reference lane may hold all of it: the gate must not
 * hold owner keys it could forge grants with, and the lane refuses to open with an owner or gate
 * private key (C7). This splits the JWK Sets into what each holder loads.
 *
 * Ed25519 keys split cleanly into a private and a public half. An HMAC key (HS256) has no public
 * half: whoever verifies with it holds the secret, so the gate gets the owner and rehearsal
 * secrets it verifies with, and the lane the operator secret it checks markers with. Only the
 * owner's secret is kept from the lane, which is exactly what C7 demands.
 */
import { scanJson, type JsonObject, type JsonValue, ROLES, type Role } from "../../lane/index.js";
import type { KeyringSource } from "../../lane/index.js";
import { FailclosedError } from "../../kernel/errors.js";

export interface SplitKeyring {
  /** The gate: gate private keys, every public half, owner and rehearsal HMAC secrets. */
  readonly gate: readonly KeyringSource[];
  /** The rehearsal lane: rehearsal private keys, every public half, operator HMAC secrets. */
  readonly lane: readonly KeyringSource[];
  /** Only the operator private keys: used once, to seal the clone marker. */
  readonly operator: readonly KeyringSource[];
}

type Holder = keyof SplitKeyring;

/** The keyring schema allows at most this many keys in one JWK Set. */
const MAX_KEYS_PER_SET = 64;

/** Which roles' private halves (Ed25519) or secrets (HMAC) each holder receives. */
const PRIVATE_ROLES: Readonly<Record<Holder, readonly Role[]>> = {
  gate: ["gate"],
  lane: ["rehearsal"],
  operator: ["operator"],
};
const HMAC_VERIFY_ROLES: Readonly<Record<Holder, readonly Role[]>> = {
  gate: ["owner", "rehearsal"],
  lane: ["operator"],
  operator: [],
};

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(jwk: JsonObject, member: string): string | undefined {
  const value = jwk[member];
  return typeof value === "string" ? value : undefined;
}

function role(jwk: JsonObject, source: string): Role {
  const value = text(jwk, "role");
  const found = ROLES.find((r) => r === value);
  if (found === undefined) throw new FailclosedError("KEYRING_INVALID", `${source}: a key has no valid role`);
  return found;
}

/** A fresh JWK holding only the listed members: nothing else of the input is carried over (R6). */
function pick(jwk: JsonObject, members: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const member of members) {
    const value = text(jwk, member);
    if (value !== undefined) out[member] = value;
  }
  return out;
}

const PUBLIC_OKP = ["kty", "crv", "x", "kid", "alg", "role", "use"] as const;

/** What one holder gets of one key, or undefined when it gets nothing. */
function shareOf(jwk: JsonObject, holder: Holder, source: string): Record<string, string> | undefined {
  const keyRole = role(jwk, source);
  const ownsPrivate = PRIVATE_ROLES[holder].includes(keyRole);
  if (text(jwk, "kty") === "oct") {
    const needed = ownsPrivate || HMAC_VERIFY_ROLES[holder].includes(keyRole);
    return needed ? pick(jwk, ["kty", "k", "kid", "alg", "role", "use"]) : undefined;
  }
  if (ownsPrivate) return pick(jwk, [...PUBLIC_OKP, "d"]);
  // The operator only seals; it needs no public halves.
  return holder === "operator" ? undefined : pick(jwk, PUBLIC_OKP);
}

function parseSet(source: KeyringSource): { keys: readonly JsonObject[]; testOnly: boolean } {
  const scanned = scanJson(source.bytes);
  const root = scanned.ok ? scanned.value : undefined;
  const keys = isObject(root) ? root["keys"] : undefined;
  if (!isObject(root) || !Array.isArray(keys) || !keys.every(isObject)) {
    throw new FailclosedError("KEYRING_INVALID", `${source.source}: not a JWK Set`);
  }
  return { keys, testOnly: root["failclosed_test_only"] === true };
}

function toSources(
  keys: ReadonlyMap<string, Record<string, string>>,
  holder: Holder,
  testOnly: boolean,
): KeyringSource[] {
  const all = [...keys.values()];
  const sources: KeyringSource[] = [];
  for (let i = 0; i < all.length; i += MAX_KEYS_PER_SET) {
    const set = {
      ...(testOnly ? { failclosed_test_only: true } : {}),
      keys: all.slice(i, i + MAX_KEYS_PER_SET),
    };
    sources.push({
      source: `keyring-under-test#${holder}-${sources.length}`,
      bytes: new Uint8Array(Buffer.from(JSON.stringify(set), "utf8")),
    });
  }
  return sources;
}

/**
 * Splits the keyring under test. The same kid may appear in a private and in a public set (as
 * `keys init` writes them): a private half wins over a public one, so each kid appears once.
 * Loading the whole keyring first (loadKeyringFromSources) is what validates it; this only sorts.
 */
export function splitKeyring(sources: readonly KeyringSource[]): SplitKeyring {
  const byHolder = new Map<Holder, Map<string, Record<string, string>>>([
    ["gate", new Map()],
    ["lane", new Map()],
    ["operator", new Map()],
  ]);
  let testOnly = false;
  for (const source of sources) {
    const set = parseSet(source);
    testOnly ||= set.testOnly;
    for (const jwk of set.keys) {
      const kid = text(jwk, "kid");
      if (kid === undefined)
        throw new FailclosedError("KEYRING_INVALID", `${source.source}: a key has no kid`);
      for (const [holder, keys] of byHolder) {
        const share = shareOf(jwk, holder, source.source);
        const existing = keys.get(kid);
        const moreSecret = share?.["d"] !== undefined && existing?.["d"] === undefined;
        if (share !== undefined && (existing === undefined || moreSecret)) keys.set(kid, share);
      }
    }
  }
  const sourcesOf = (holder: Holder): KeyringSource[] =>
    toSources(byHolder.get(holder) ?? new Map(), holder, testOnly);
  return { gate: sourcesOf("gate"), lane: sourcesOf("lane"), operator: sourcesOf("operator") };
}
