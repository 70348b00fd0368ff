/**
 * Differential property test (issue #17): the seal verifier checks signatures with node:crypto on
 * the keyring's KeyObjects instead of jose. For random payloads and random attacks, it is set
 * beside jose's compactVerify, given the key the header's kid names and only that key's alg:
 *
 * - whatever our verifier lets through the signature, jose accepts too (never more permissive);
 * - where the seal keeps every strict rule (S2/S3 shape, header, kid, role, alg), the two agree
 *   on accept and reject: tampered signatures, payloads and headers, another key under the kid,
 *   truncated and extended signatures;
 * - where the seal breaks a strict rule, ours refuses with that rule's code whatever jose says
 *   (jose accepts some of them: a sloppy base64url tail, a key of another role, b64:false).
 *
 * "Through the signature" means verified, or refused only after it for the payload itself
 * (payload_invalid, kind_mismatch), since random payloads are rarely valid documents.
 */
import { generateKeyPairSync } from "node:crypto";
import { compactVerify, type CompactVerifyGetKey } from "jose";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { SealedKind } from "../../../src/lane/codec/index.js";
import type { Result } from "../../../src/kernel/result.js";
import type { Keyring, Role, SealRejection } from "../../../src/lane/seal/index.js";
import { verifySealedDocument } from "../../../src/lane/seal/index.js";
import { EXAMPLES, docBytes } from "../../support/documents.js";
import type { RawSigner, TestKeyring } from "../../support/keyrings.js";
import { b64u, craftJws, headerJson, hmacSigner, makeKeyring, rawSigner } from "../../support/keyrings.js";

const RUNS = 300;
const KINDS = ["grant", "decision-packet", "evidence"] as const satisfies readonly SealedKind[];
const ROLE_FOR: Readonly<Record<(typeof KINDS)[number], Role>> = {
  grant: "owner",
  "decision-packet": "owner",
  evidence: "rehearsal",
};
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Attacks that keep every strict rule: only the signature can tell. */
const SIGNATURE_ONLY = [
  "untouched",
  "flip-signature",
  "flip-payload",
  "reordered-header",
  "spaced-header",
  "other-key-same-kid",
  "truncated-signature",
  "extended-signature",
] as const;
/** Attacks that break a strict rule, with the code that rule refuses with. */
const STRICT = {
  "sloppy-signature-tail": "seal_malformed",
  "padded-signature": "seal_malformed",
  "sloppy-header-tail": "seal_malformed",
  "other-alg": "alg_mismatch",
  "none-empty-signature": "seal_malformed",
  "none-signed": "header_invalid",
  "unknown-kid": "kid_unknown",
  "other-role": "wrong_role",
  "b64-false-crit": "header_invalid",
  "crit-only": "header_invalid",
} as const;
type Attack = (typeof SIGNATURE_ONLY)[number] | keyof typeof STRICT;
const ATTACKS: readonly Attack[] = [
  ...SIGNATURE_ONLY,
  ...(Object.keys(STRICT) as Array<keyof typeof STRICT>),
];

function strictCode(attack: Attack): string | undefined {
  return (STRICT as Readonly<Record<string, string>>)[attack];
}

let ed: TestKeyring;
let hs: TestKeyring;
let edStranger: TestKeyring;
let hsStranger: TestKeyring;
beforeAll(async () => {
  [ed, hs, edStranger, hsStranger] = await Promise.all([
    makeKeyring(),
    makeKeyring({ alg: "HS256" }),
    makeKeyring(),
    makeKeyring({ alg: "HS256" }),
  ]);
});

function split(jws: string): [string, string, string] {
  const [h = "", p = "", s = ""] = jws.split(".");
  return [h, p, s];
}

/** The decoded bytes of part `which`, changed by `change`, re-encoded canonically. */
function rewrite(jws: string, which: 1 | 2, change: (bytes: Buffer) => Buffer): string {
  const parts = split(jws);
  parts[which] = b64u(change(Buffer.from(parts[which], "base64url")));
  return parts.join(".");
}

function xorAt(index: number, mask: number): (bytes: Buffer) => Buffer {
  return (bytes) => {
    const copy = Buffer.from(bytes);
    if (copy.length === 0) return Buffer.from([mask]);
    const at = index % copy.length;
    copy[at] = (copy[at] ?? 0) ^ mask;
    return copy;
  };
}

/** The same bytes with a non-zero unused bit in the last character (or unchanged when it has none). */
function sloppyTail(part: string): string {
  const last = ALPHABET.indexOf(part.slice(-1));
  return part.slice(0, -1) + (ALPHABET[last | 0b0001] ?? "A");
}

/** A signer for the other algorithm: HMAC keyed with the Ed25519 public key, or a fresh Ed25519 key. */
function otherAlgSigner(ring: TestKeyring, role: Role): RawSigner {
  if (ring.alg === "EdDSA") return hmacSigner(Buffer.from(ring.privateJwk(role)["x"] ?? "", "base64url"));
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as Record<string, string>;
  return rawSigner(jwk);
}

interface Case {
  readonly alg: "EdDSA" | "HS256";
  readonly kind: (typeof KINDS)[number];
  readonly payload: Uint8Array;
  readonly attack: Attack;
  readonly index: number;
  readonly mask: number;
}

function build(c: Case): string {
  const ring = c.alg === "EdDSA" ? ed : hs;
  const stranger = c.alg === "EdDSA" ? edStranger : hsStranger;
  const role = ROLE_FOR[c.kind];
  const typ = `${c.kind}+jws`;
  const kid = ring.signer(role).kid;
  const signer = rawSigner(ring.privateJwk(role));
  const good = craftJws(headerJson(c.alg, kid, typ), c.payload, signer);
  const [h, p, s] = split(good);
  switch (c.attack) {
    case "untouched":
      return good;
    case "flip-signature":
      return rewrite(good, 2, xorAt(c.index, c.mask));
    case "flip-payload":
      return rewrite(good, 1, xorAt(c.index, c.mask));
    case "reordered-header":
      return `${b64u(JSON.stringify({ typ, kid, alg: c.alg }))}.${p}.${s}`;
    case "spaced-header":
      return `${b64u(`{"alg": "${c.alg}", "kid": "${kid}", "typ": "${typ}"}`)}.${p}.${s}`;
    case "other-key-same-kid":
      return craftJws(headerJson(c.alg, kid, typ), c.payload, rawSigner(stranger.privateJwk(role)));
    case "truncated-signature":
      return rewrite(good, 2, (bytes) => bytes.subarray(0, bytes.length - 1 - (c.index % 4)));
    case "extended-signature":
      return rewrite(good, 2, (bytes) => Buffer.concat([bytes, Buffer.from([c.mask])]));
    case "sloppy-signature-tail":
      return `${h}.${p}.${sloppyTail(s)}`;
    case "padded-signature":
      return `${h}.${p}.${s}=`;
    case "sloppy-header-tail": {
      // A header whose encoding has unused bits (length not a multiple of 3), then one of them set.
      const header = headerJson(c.alg, kid, typ);
      const [ph, , ps] = split(craftJws(header.length % 3 === 0 ? `${header} ` : header, c.payload, signer));
      return `${sloppyTail(ph)}.${p}.${ps}`;
    }
    case "other-alg":
      return craftJws(
        headerJson(c.alg === "EdDSA" ? "HS256" : "EdDSA", kid, typ),
        c.payload,
        otherAlgSigner(ring, role),
      );
    case "none-empty-signature":
      return `${b64u(headerJson("none", kid, typ))}.${p}.`;
    case "none-signed":
      return craftJws(headerJson("none", kid, typ), c.payload, signer);
    case "unknown-kid":
      return craftJws(headerJson(c.alg, `${kid}-x${c.index % 10}`, typ), c.payload, signer);
    case "other-role": {
      const other: Role = role === "owner" ? "gate" : "owner";
      return craftJws(
        headerJson(c.alg, ring.signer(other).kid, typ),
        c.payload,
        rawSigner(ring.privateJwk(other)),
      );
    }
    case "b64-false-crit": {
      // RFC 7797: the payload is signed unencoded; jose supports it when b64 is listed in crit.
      const header = JSON.stringify({ alg: c.alg, kid, typ, b64: false, crit: ["b64"] });
      const protectedPart = b64u(header);
      const input = Buffer.concat([Buffer.from(`${protectedPart}.`), Buffer.from(c.payload)]);
      return `${protectedPart}.${p}.${b64u(signer(input))}`;
    }
    case "crit-only":
      return craftJws(JSON.stringify({ alg: c.alg, kid, typ, crit: ["exp"], exp: 1 }), c.payload, signer);
    default:
      throw new Error(`unknown attack ${String(c.attack)}`);
  }
}

/** jose's answer: the key the header's kid names in the keyring, restricted to that key's alg. */
async function joseAccepts(keyring: Keyring, jws: string): Promise<boolean> {
  let alg = "";
  const getKey: CompactVerifyGetKey = (header) => {
    const entry = typeof header.kid === "string" ? keyring.get(header.kid) : undefined;
    if (entry === undefined) throw new Error("no key for this kid");
    alg = entry.alg;
    if (header.alg !== alg) throw new Error("alg is not the key's own");
    return entry.verifyKey;
  };
  try {
    await compactVerify(jws, getKey, { algorithms: ["EdDSA", "HS256"] });
    return alg !== "";
  } catch {
    return false;
  }
}

function throughSignature(result: Result<unknown, SealRejection>): boolean {
  return result.ok || result.error.code === "payload_invalid" || result.error.code === "kind_mismatch";
}

function codeOf(result: Result<unknown, SealRejection>): string {
  return result.ok ? "verified" : result.error.code;
}

const payloads = fc.oneof(
  fc.constantFrom(...KINDS).map((kind) => docBytes(EXAMPLES[kind]())),
  // Never empty: an empty payload part is the detached form, which a document seal refuses (S6).
  fc.uint8Array({ minLength: 1, maxLength: 300 }),
  fc.json({ maxDepth: 3 }).map((text) => new Uint8Array(Buffer.from(text))),
);

describe("node:crypto seal verification agrees with jose's compactVerify", () => {
  it(`on random payloads and attacks (${RUNS} runs)`, async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("EdDSA" as const, "HS256" as const),
        fc.constantFrom(...KINDS),
        payloads,
        fc.constantFrom(...ATTACKS),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (alg, kind, payload, attack, index, mask) => {
          const c: Case = { alg, kind, payload, attack, index, mask };
          const jws = build(c);
          const keyring = (alg === "EdDSA" ? ed : hs).keyring;
          const ours = await verifySealedDocument(keyring, kind, jws);
          const jose = await joseAccepts(keyring, jws);
          seen.add(`${attack}:${String(jose)}`);
          if (throughSignature(ours)) expect(jose, `ours let ${attack} through, jose refused`).toBe(true);
          const refusedWith = strictCode(attack);
          if (refusedWith === undefined) {
            expect(throughSignature(ours), `${attack}: ours ${codeOf(ours)}, jose ${String(jose)}`).toBe(
              jose,
            );
            if (!jose) expect(codeOf(ours)).toBe("signature_invalid");
          } else {
            expect(codeOf(ours), attack).toBe(refusedWith);
          }
          if (attack === "untouched") expect(jose, "positive control").toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
    // Not vacuous: both verdicts occurred, and jose accepted some seals the strict rules refuse.
    expect(seen).toContain("untouched:true");
    expect(seen).toContain("flip-signature:false");
    expect(seen).toContain("other-role:true");
  });

  it.each(["EdDSA", "HS256"] as const)(
    "%s: every attack, once each, on a valid grant (exhaustive over the attack list)",
    async (alg) => {
      const payload = docBytes(EXAMPLES.grant());
      for (const attack of ATTACKS) {
        const keyring = (alg === "EdDSA" ? ed : hs).keyring;
        const jws = build({ alg, kind: "grant", payload, attack, index: 7, mask: 0x40 });
        const ours = codeOf(await verifySealedDocument(keyring, "grant", jws));
        const jose = await joseAccepts(keyring, jws);
        const expected = strictCode(attack) ?? (jose ? "verified" : "signature_invalid");
        expect(ours, `${attack} (jose ${String(jose)})`).toBe(expected);
        if (attack === "untouched") expect(jose).toBe(true);
        if (SIGNATURE_ONLY.some((a) => a === attack && a !== "untouched")) expect(jose, attack).toBe(false);
      }
    },
  );
});
