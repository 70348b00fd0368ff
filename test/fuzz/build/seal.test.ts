/**
 * The fuzzer's own seals (sealAs, rawJws) are signed through node:crypto rather than jose and
 * WebCrypto, for speed: they must stay byte for byte what the lane's sealDocument and WebCrypto
 * make, refuse what sealDocument refuses, and fail where WebCrypto fails.
 */
import type { webcrypto } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { headerOf, rawJws, sealAs } from "../../../src/fuzz/craft/seal.js";
import { signBytes } from "../../../src/fuzz/craft/sign-bytes.js";
import { loadSeedCorpus } from "../../../src/fuzz/engine/seed-corpus.js";
import type { FamilyContext, SeedCorpus } from "../../../src/fuzz/types.js";
import type { DocumentsByKind, SealedKind } from "../../../src/lane/codec/index.js";
import type { KeyEntry, Role } from "../../../src/lane/seal/index.js";
import { ROLES, sealDocument } from "../../../src/lane/seal/index.js";
import {
  exampleCloneMarker,
  exampleEvidence,
  exampleGrant,
  examplePacket,
  examplePermit,
} from "../../support/documents.js";
import { makeKeyring, type TestAlg, type TestKeyring } from "../../support/keyrings.js";

interface Sealing<K extends SealedKind> {
  readonly role: Role;
  readonly kind: K;
  readonly doc: DocumentsByKind[K];
}

/** Every sealed kind, with the role that seals it (S1). */
const SEALINGS: ReadonlyArray<Sealing<SealedKind>> = [
  { role: "owner", kind: "decision-packet", doc: examplePacket() },
  { role: "owner", kind: "grant", doc: exampleGrant() },
  { role: "gate", kind: "permit", doc: examplePermit() },
  { role: "rehearsal", kind: "evidence", doc: exampleEvidence() },
  { role: "operator", kind: "clone-marker", doc: exampleCloneMarker() },
];

let corpus: SeedCorpus;
const keyrings = new Map<TestAlg, TestKeyring>();

beforeAll(async () => {
  corpus = await loadSeedCorpus();
  for (const alg of ["EdDSA", "HS256"] as const) keyrings.set(alg, await makeKeyring({ alg }));
});

function keysOf(alg: TestAlg): TestKeyring {
  const keys = keyrings.get(alg);
  if (keys === undefined) throw new Error(`no ${alg} keyring`);
  return keys;
}

function contextOf(keys: TestKeyring): FamilyContext {
  const kids = Object.fromEntries(
    ROLES.map((role) => [role, keys.signer(role).kid]),
  ) as FamilyContext["kids"];
  return {
    keyring: keys.keyring,
    kids,
    strangerKeyring: keys.keyring,
    now: 1_900_000_000,
    salt: "seal",
    corpus,
  };
}

/** What sealAs must fail like: the lane's own refusal, as code and message. */
async function refusal(work: () => Promise<unknown>): Promise<{ code: unknown; message: unknown }> {
  try {
    await work();
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code, message };
  }
  throw new Error("expected a refusal");
}

async function webCryptoSignature(signAs: TestAlg, key: KeyEntry, data: Uint8Array): Promise<Uint8Array> {
  const signKey = key.signKey as webcrypto.CryptoKey;
  const signature =
    signAs === "HS256"
      ? await crypto.subtle.sign("HMAC", signKey, data)
      : await crypto.subtle.sign({ name: "Ed25519" }, signKey, data);
  return new Uint8Array(signature);
}

describe.each(["EdDSA", "HS256"] as const)("the fuzzer's seals with %s keys", (alg) => {
  it("are byte for byte the lane's sealDocument, for every sealed kind", async () => {
    const keys = keysOf(alg);
    const ctx = contextOf(keys);
    for (const { role, kind, doc } of SEALINGS) {
      const ours = await sealAs(ctx, role, kind, doc);
      expect(ours, kind).toBe(await sealDocument(keys.signer(role), kind, doc));
      expect(await sealAs(ctx, role, kind, doc), `${kind}, again`).toBe(ours);
    }
  });

  it("sign exactly what WebCrypto signs", async () => {
    const key = keysOf(alg).signer("owner");
    const signKey = key.signKey;
    if (signKey === undefined) throw new Error("the owner key has a private half");
    for (const data of [
      new Uint8Array(),
      Buffer.from("eyJhbGciOiJFZERTQSJ9.e30"),
      new Uint8Array(70_000).fill(7),
    ]) {
      expect(await signBytes(alg, signKey, data)).toEqual(await webCryptoSignature(alg, key, data));
    }
    expect(await rawJws(headerOf(key, "grant+jws"), "{}", key)).toMatch(/^[\w-]+\.e30\.[\w-]{43,86}$/);
  });

  it("refuse what sealDocument refuses: a role that may not seal the kind, an invalid document", async () => {
    const keys = keysOf(alg);
    const ctx = contextOf(keys);
    const wrongRole = await refusal(() => sealAs(ctx, "gate", "grant", exampleGrant()));
    expect(wrongRole).toEqual(
      await refusal(() => sealDocument(keys.signer("gate"), "grant", exampleGrant())),
    );
    expect(wrongRole.code).toBe("KEY_WRONG_ROLE");
    const invalid = { ...exampleGrant(), nonce: "not a nonce" };
    const refused = await refusal(() => sealAs(ctx, "owner", "grant", invalid));
    expect(refused).toEqual(await refusal(() => sealDocument(keys.signer("owner"), "grant", invalid)));
    expect(refused.code).toBe("DOCUMENT_INVALID");
  });
});

describe("the fuzzer's seals, off the usual path", () => {
  it("refuse a key without its private half, as sealDocument does", async () => {
    const keys = keysOf("EdDSA");
    const owner = keys.signer("owner");
    const { signKey: _private, ...publicOnly } = owner;
    const keyring = new Map(keys.keyring);
    keyring.set(owner.kid, publicOnly);
    const ctx = { ...contextOf(keys), keyring };
    const refused = await refusal(() => sealAs(ctx, "owner", "grant", exampleGrant()));
    expect(refused).toEqual(await refusal(() => sealDocument(publicOnly, "grant", exampleGrant())));
    expect(refused.code).toBe("KEY_MISSING");
  });

  it("fail where WebCrypto fails: a key asked to sign with another algorithm than its own", async () => {
    const ed = keysOf("EdDSA").signer("owner");
    const hmac = keysOf("HS256").signer("owner");
    await expect(rawJws('{"alg":"HS256"}', "{}", ed, "HS256")).rejects.toThrow();
    await expect(rawJws('{"alg":"EdDSA"}', "{}", hmac, "EdDSA")).rejects.toThrow();
  });

  it("leave a seal without a key unsigned", async () => {
    expect(await rawJws('{"alg":"none"}', "{}", undefined)).toBe(
      `${Buffer.from('{"alg":"none"}').toString("base64url")}.e30.`,
    );
  });
});
