/**
 * Property tests for seals: no single changed byte of a sealed payload, signature or artifact
 * verifies (checked exhaustively over every position for one seal per algorithm, and over random
 * positions and masks for every sealed kind), no extra header member is ever accepted even under a
 * valid signature (S3), and no random string is ever taken for a seal.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { SealedKind } from "../../../src/lane/codec/index.js";
import { SEAL_TYPES } from "../../../src/lane/codec/index.js";
import type { Result } from "../../../src/kernel/result.js";
import type { Role, SealCode, SealRejection } from "../../../src/lane/seal/index.js";
import {
  SEAL_CODES,
  sealArtifact,
  sealDocument,
  verifyArtifactSeal,
  verifySealedDocument,
} from "../../../src/lane/seal/index.js";
import { EXAMPLES, exampleGrant, docBytes } from "../../support/documents.js";
import type { TestKeyring } from "../../support/keyrings.js";
import { b64u, craftJws, makeKeyring, rawSigner } from "../../support/keyrings.js";

const SEALED_KINDS = Object.values(SEAL_TYPES).filter((k) => k !== null) as SealedKind[];
const ROLE_FOR: Readonly<Record<SealedKind, Role>> = {
  "decision-packet": "owner",
  grant: "owner",
  permit: "gate",
  evidence: "rehearsal",
  "clone-marker": "operator",
};
const RUNS = 100;

let ed: TestKeyring;
let hs: TestKeyring;
beforeAll(async () => {
  [ed, hs] = await Promise.all([makeKeyring(), makeKeyring({ alg: "HS256" })]);
});

function ring(alg: "EdDSA" | "HS256"): TestKeyring {
  return alg === "EdDSA" ? ed : hs;
}

function code(result: Result<unknown, SealRejection>): string {
  return result.ok ? "verified" : result.error.code;
}

function split(jws: string): [string, string, string] {
  const [h = "", p = "", s = ""] = jws.split(".");
  return [h, p, s];
}

/** The compact seal with one decoded byte of part `which` xor'ed with `mask` (re-encoded canonically). */
function flip(jws: string, which: 1 | 2, index: number, mask: number): string {
  const parts = split(jws);
  const bytes = Buffer.from(parts[which], "base64url");
  bytes[index] = (bytes[index] ?? 0) ^ mask;
  parts[which] = b64u(bytes);
  return parts.join(".");
}

describe.each(["EdDSA", "HS256"] as const)("%s: single-byte changes never verify", (alg) => {
  it("every payload byte of a sealed grant, flipped, is signature_invalid (exhaustive)", async () => {
    const jws = await sealDocument(ring(alg).signer("owner"), "grant", exampleGrant("QT001_APPLY"));
    expect(code(await verifySealedDocument(ring(alg).keyring, "grant", jws))).toBe("verified");
    const length = Buffer.from(split(jws)[1], "base64url").length;
    expect(length).toBeGreaterThan(200);
    for (let index = 0; index < length; index++) {
      const result = await verifySealedDocument(ring(alg).keyring, "grant", flip(jws, 1, index, 0x01));
      expect(code(result), `payload byte ${index}`).toBe("signature_invalid");
    }
  });

  it("every signature byte, flipped, is signature_invalid (exhaustive)", async () => {
    const jws = await sealDocument(ring(alg).signer("owner"), "grant", exampleGrant());
    const length = Buffer.from(split(jws)[2], "base64url").length;
    expect(length).toBe(alg === "EdDSA" ? 64 : 32);
    for (let index = 0; index < length; index++) {
      const result = await verifySealedDocument(ring(alg).keyring, "grant", flip(jws, 2, index, 0x80));
      expect(code(result), `signature byte ${index}`).toBe("signature_invalid");
    }
  });

  it.each(SEALED_KINDS)(
    `any byte of a sealed %s xor any non-zero mask is signature_invalid (${RUNS} runs)`,
    async (kind) => {
      const jws = await sealDocument(ring(alg).signer(ROLE_FOR[kind]), kind, EXAMPLES[kind]() as never);
      const payloadLength = Buffer.from(split(jws)[1], "base64url").length;
      const signatureLength = Buffer.from(split(jws)[2], "base64url").length;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(1 as const, 2 as const),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          async (which, position, mask) => {
            const index = position % (which === 1 ? payloadLength : signatureLength);
            const result = await verifySealedDocument(ring(alg).keyring, kind, flip(jws, which, index, mask));
            expect(code(result)).toBe("signature_invalid");
          },
        ),
        { numRuns: RUNS },
      );
    },
  );

  it(`any single character replaced anywhere in the compact seal never verifies (${RUNS} runs)`, async () => {
    const jws = await sealDocument(ring(alg).signer("owner"), "grant", exampleGrant());
    const [h] = split(jws);
    const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. \n\u00e9";
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: jws.length - 1 }), fc.constantFrom(...chars), async (index, char) => {
        fc.pre(jws[index] !== char);
        const mutated = jws.slice(0, index) + char + jws.slice(index + 1);
        const got = code(await verifySealedDocument(ring(alg).keyring, "grant", mutated));
        // Which code depends on where the change lands; that it never verifies does not.
        const allowed: readonly string[] =
          index < h.length
            ? [
                "seal_malformed",
                "header_invalid",
                "typ_mismatch",
                "kid_unknown",
                "alg_mismatch",
                "signature_invalid",
              ]
            : ["seal_malformed", "signature_invalid"];
        expect(allowed, `char ${JSON.stringify(char)} at ${index}`).toContain(got);
      }),
      { numRuns: RUNS },
    );
  });

  it(`an artifact seal verifies only its exact bytes (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom("flip", "append", "drop", "prepend-bom"),
        async (bytes, position, mask, change) => {
          const jws = await sealArtifact(ring(alg).signer("rehearsal"), bytes);
          expect(code(await verifyArtifactSeal(ring(alg).keyring, jws, bytes))).toBe("verified");
          let other: Uint8Array;
          if (change === "append") other = new Uint8Array([...bytes, mask]);
          else if (change === "prepend-bom") other = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
          else if (bytes.length === 0) other = new Uint8Array([mask]);
          else if (change === "drop") other = bytes.slice(0, -1);
          else {
            other = bytes.slice();
            const index = position % bytes.length;
            other[index] = (other[index] ?? 0) ^ mask;
          }
          expect(code(await verifyArtifactSeal(ring(alg).keyring, jws, other))).toBe("signature_invalid");
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("S3 under a valid signature", () => {
  it(`no header member beyond alg, kid and typ is accepted (${RUNS} runs)`, async () => {
    const owner = ed.signer("owner");
    const signer = rawSigner(ed.privateJwk("owner"));
    const payload = docBytes(exampleGrant());
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ unit: "grapheme", minLength: 1, maxLength: 12 })
          .filter((n) => !["alg", "kid", "typ", "__proto__", "constructor", "prototype"].includes(n)),
        // Values the scanner accepts, so the refusal can only come from the extra member itself.
        fc.oneof(
          fc.string({ unit: "grapheme", maxLength: 20 }),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.array(fc.string({ unit: "grapheme", maxLength: 8 }), { maxLength: 3 }),
          fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.integer(), { maxKeys: 3 }),
        ),
        fc.nat({ max: 3 }),
        async (name, value, position) => {
          const members: Array<[string, unknown]> = [
            ["alg", "EdDSA"],
            ["kid", owner.kid],
            ["typ", "grant+jws"],
          ];
          members.splice(position, 0, [name, value]);
          const header = `{${members.map(([n, v]) => `${JSON.stringify(n)}:${JSON.stringify(v)}`).join(",")}}`;
          const result = await verifySealedDocument(ed.keyring, "grant", craftJws(header, payload, signer));
          expect(code(result)).toBe("header_invalid");
          expect(result.ok ? "" : result.error.codec?.code).toBe("unknown_member");
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("random strings are never seals", () => {
  it(`never verifies noise, and always answers with a SEAL_CODE (${RUNS * 2} runs)`, async () => {
    const known = new Set<string>(SEAL_CODES);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc
            .array(fc.base64String({ maxLength: 120 }), { minLength: 1, maxLength: 5 })
            .map((parts) => parts.join(".")),
          fc
            .array(fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/), { minLength: 3, maxLength: 3 })
            .map((p) => p.join(".")),
        ),
        async (noise) => {
          const result = await verifySealedDocument(ed.keyring, "grant", noise);
          expect(result.ok).toBe(false);
          expect(known.has(code(result) as SealCode)).toBe(true);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});
