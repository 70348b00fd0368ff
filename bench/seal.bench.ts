import { createHmac, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { loadKeyringFromSources } from "../src/lane/seal/keyring.js";
import { combinedPrivateSet, generateKeyring } from "../src/lane/seal/keygen.js";
import { requireSigner } from "../src/lane/seal/keyring.js";
import { sealDocument } from "../src/lane/seal/sign.js";
import { verifySealedDocument } from "../src/lane/seal/verify.js";
import type { Grant } from "../src/lane/codec/documents.js";
import type { BenchSuite } from "./harness.js";

const grant: Grant = {
  kind: "grant",
  v: 1,
  grant_id: "grant-cutover-1",
  packet_id: "FIX7-P0-2026-06-12",
  action: "CUTOVER",
  target: "production",
  nonce: "q83vEjRWeJq83vEjRWeJqw",
  not_before: "2026-11-24T00:00:00Z",
  expires_at: "2026-11-24T12:00:00Z",
};

async function keyringFor(alg: "EdDSA" | "HS256") {
  const generated = await generateKeyring({ alg, roles: ["owner"] });
  const bytes = new TextEncoder().encode(JSON.stringify(combinedPrivateSet(generated)));
  return loadKeyringFromSources([{ source: "bench", bytes }], { testMode: true });
}

/** Seal verification (strict header, kid, role, alg, signature, then the codec) against bare crypto. */
export const suite: BenchSuite = {
  name: "seal",
  async pairs() {
    const ed = await keyringFor("EdDSA");
    const hs = await keyringFor("HS256");
    const edJws = await sealDocument(requireSigner(ed, "owner"), "grant", grant);
    const hsJws = await sealDocument(requireSigner(hs, "owner"), "grant", grant);
    // Bare limits: the same signing input and signature checked with node:crypto alone.
    const { privateKey } = generateKeyPairSync("ed25519");
    const publicKey = createPublicKey(privateKey);
    const [edHeader = "", edPayload = ""] = edJws.split(".");
    const input = Buffer.from(`${edHeader}.${edPayload}`);
    const edSignature = sign(null, input, privateKey);
    const secret = Buffer.alloc(32, 7);
    const hsInput = Buffer.from(hsJws.split(".").slice(0, 2).join("."));
    const hsSignature = createHmac("sha256", secret).update(hsInput).digest();
    // A forged seal: the same header and grant with a signature by a key the keyring lacks. It
    // fails at the signature, the path on which jose threw an error with a stack (issue #17).
    const stranger = await keyringFor("EdDSA");
    const strangerJws = await sealDocument(requireSigner(stranger, "owner"), "grant", grant);
    const forgedJws = `${edHeader}.${edPayload}.${strangerJws.split(".")[2] ?? ""}`;
    const forged = await verifySealedDocument(ed, "grant", forgedJws);
    if (forged.ok || forged.error.code !== "signature_invalid")
      throw new Error("bench: the forged seal should fail at the signature");
    return [
      {
        group: "seal: grant+jws, Ed25519",
        subject: { name: "verifySealedDocument", fn: () => verifySealedDocument(ed, "grant", edJws) },
        limit: { name: "crypto.verify (Ed25519)", fn: () => verify(null, input, publicKey, edSignature) },
        opsPerRound: 2_000,
      },
      {
        group: "seal: grant+jws, Ed25519, forged (signature_invalid)",
        subject: { name: "verifySealedDocument", fn: () => verifySealedDocument(ed, "grant", forgedJws) },
        limit: { name: "crypto.verify (Ed25519)", fn: () => verify(null, input, publicKey, edSignature) },
        opsPerRound: 2_000,
      },
      {
        group: "seal: grant+jws, HS256",
        subject: { name: "verifySealedDocument", fn: () => verifySealedDocument(hs, "grant", hsJws) },
        limit: {
          name: "HMAC-SHA256 + compare",
          fn: () => createHmac("sha256", secret).update(hsInput).digest().equals(hsSignature),
        },
        opsPerRound: 5_000,
      },
      {
        group: "seal: grant+jws, Ed25519",
        subject: { name: "sealDocument", fn: () => sealDocument(requireSigner(ed, "owner"), "grant", grant) },
        limit: { name: "crypto.sign (Ed25519)", fn: () => sign(null, input, privateKey) },
        opsPerRound: 2_000,
      },
    ];
  },
};
