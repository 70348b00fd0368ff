/**
 * The node:crypto signature check under the seal verifier (issue #17) and the KeyObjects the
 * keyring makes for it once at load: right signatures hold, and a wrong length, a wrong key, a key
 * object of the wrong kind or a signature over other bytes never does.
 */
import { createSecretKey, generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { KeyEntry } from "../../../src/lane/seal/index.js";
import { signatureHolds } from "../../../src/lane/seal/signature.js";
import type { TestKeyring } from "../../support/keyrings.js";
import { makeKeyring, rawSigner } from "../../support/keyrings.js";

let ed: TestKeyring;
let hs: TestKeyring;
beforeAll(async () => {
  [ed, hs] = await Promise.all([makeKeyring(), makeKeyring({ alg: "HS256" })]);
});

const INPUT = Buffer.from("eyJhbGciOiJFZERTQSJ9.eyJraW5kIjoiZ3JhbnQifQ", "latin1");

function signed(ring: TestKeyring, input: Buffer = INPUT): Buffer {
  return Buffer.from(rawSigner(ring.privateJwk("owner"))(input));
}

describe("the keyring's KeyObjects (made once at load)", () => {
  it("an Ed25519 entry holds the public KeyObject of its own x", () => {
    const entry = ed.signer("owner");
    expect(entry.verifyKeyObject.type).toBe("public");
    expect(entry.verifyKeyObject.asymmetricKeyType).toBe("ed25519");
    expect((entry.verifyKeyObject.export({ format: "jwk" }) as { x?: string }).x).toBe(entry.publicJwk?.x);
    // The same object on every lookup: nothing is imported per call.
    expect(ed.keyring.get(entry.kid)?.verifyKeyObject).toBe(entry.verifyKeyObject);
  });

  it("an HS256 entry holds a secret KeyObject of the secret's length, which prints no key bytes", () => {
    const entry = hs.signer("owner");
    const k = hs.privateJwk("owner")["k"] ?? "";
    expect(entry.verifyKeyObject.type).toBe("secret");
    expect(entry.verifyKeyObject.symmetricKeySize).toBe(Buffer.from(k, "base64url").length);
    expect(JSON.stringify(entry)).not.toContain(k);
    expect(JSON.stringify(entry)).not.toContain(Buffer.from(k, "base64url").toString("hex"));
  });
});

describe.each(["EdDSA", "HS256"] as const)("%s: signatureHolds", (alg) => {
  const ring = (): TestKeyring => (alg === "EdDSA" ? ed : hs);

  it("holds for the key's own signature over these bytes (must stay quiet)", async () => {
    expect(await signatureHolds(ring().signer("owner"), INPUT, signed(ring()))).toBe(true);
  });

  it("fails for other bytes, a flipped bit, and every shorter or longer signature (must fire)", async () => {
    const key = ring().signer("owner");
    const good = signed(ring());
    expect(await signatureHolds(key, Buffer.concat([INPUT, Buffer.from(".")]), good)).toBe(false);
    for (let bit = 0; bit < 8; bit++) {
      const flipped = Buffer.from(good);
      flipped[good.length - 1] = (flipped[good.length - 1] ?? 0) ^ (1 << bit);
      expect(await signatureHolds(key, INPUT, flipped), `bit ${bit}`).toBe(false);
    }
    for (const length of [0, 1, good.length - 1, good.length + 1, 2 * good.length]) {
      const other = Buffer.alloc(length);
      good.copy(other);
      expect(await signatureHolds(key, INPUT, other), `length ${length}`).toBe(false);
    }
  });

  it("fails for another key's signature under this entry (must fire)", async () => {
    const other = await makeKeyring({ alg });
    expect(await signatureHolds(ring().signer("owner"), INPUT, signed(other))).toBe(false);
  });
});

describe("a key object of the wrong kind never verifies", () => {
  it("an EdDSA entry carrying a secret or a private key object is false, not a throw", async () => {
    const entry = ed.signer("owner");
    const good = signed(ed);
    expect(await signatureHolds(entry, INPUT, good)).toBe(true);
    const { privateKey } = generateKeyPairSync("ed25519");
    const odd: KeyEntry[] = [
      { ...entry, verifyKeyObject: createSecretKey(Buffer.alloc(32, 1)) },
      { ...entry, verifyKeyObject: privateKey },
      { ...entry, verifyKeyObject: generateKeyPairSync("x25519").publicKey },
    ];
    for (const key of odd) expect(await signatureHolds(key, INPUT, good)).toBe(false);
  });

  it("an HS256 entry carrying an Ed25519 public key object is false, not a throw", async () => {
    const entry = hs.signer("owner");
    const good = signed(hs);
    expect(await signatureHolds(entry, INPUT, good)).toBe(true);
    const odd: KeyEntry = { ...entry, verifyKeyObject: ed.signer("owner").verifyKeyObject };
    expect(await signatureHolds(odd, INPUT, good)).toBe(false);
  });

  it("an entry whose alg is outside SealAlg is false", async () => {
    const entry = { ...ed.signer("owner"), alg: "none" } as unknown as KeyEntry;
    expect(await signatureHolds(entry, INPUT, signed(ed))).toBe(false);
  });
});
