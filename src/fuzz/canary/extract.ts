/**
 * The secrets of a keyring, as canaries (SPEC F2): every private member of every JWK, whatever the
 * key type, so a keyring that later grows RSA or EC keys is still searched for completely.
 */

/** RFC 7518 private members: `d` (OKP, EC, RSA), `k` (oct), RSA's CRT values, multi-prime `oth`. */
const SECRET_MEMBERS = ["d", "k", "p", "q", "dp", "dq", "qi"] as const;
const OTHER_PRIME_MEMBERS = ["r", "d", "t"] as const;

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function secretsOfJwk(jwk: Readonly<Record<string, unknown>>, out: Set<string>): void {
  for (const member of SECRET_MEMBERS) {
    const value = jwk[member];
    if (typeof value === "string" && value !== "") out.add(value);
  }
  const others = jwk["oth"];
  if (!Array.isArray(others)) return;
  for (const prime of others as readonly unknown[]) {
    if (!isRecord(prime)) continue;
    for (const member of OTHER_PRIME_MEMBERS) {
      const value = prime[member];
      if (typeof value === "string" && value !== "") out.add(value);
    }
  }
}

/** JWK Sets, single JWKs, or their JSON text or bytes (a keyring file as read from disk). */
function asObject(value: unknown): unknown {
  if (typeof value === "string") return JSON.parse(value) as unknown;
  if (value instanceof Uint8Array) return JSON.parse(Buffer.from(value).toString("utf8")) as unknown;
  return value;
}

/**
 * Every secret member of these JWK Sets (or JWKs), deduplicated, in order of appearance. Throws on
 * anything that is neither: silently finding no secrets would make the leak oracle blind.
 */
export function canariesFromJwks(sets: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (const [index, raw] of sets.entries()) {
    const set = asObject(raw);
    if (!isRecord(set)) throw new TypeError(`keyring #${index} is not a JWK Set or a JWK`);
    const keys = set["keys"];
    if (Array.isArray(keys)) {
      for (const key of keys as readonly unknown[]) if (isRecord(key)) secretsOfJwk(key, out);
    } else if (typeof set["kty"] === "string") {
      secretsOfJwk(set, out);
    } else {
      throw new TypeError(`keyring #${index} is not a JWK Set or a JWK`);
    }
  }
  return [...out];
}
