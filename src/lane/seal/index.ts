export * from "./roles.js";
export { loadKeyring, requireSigner, requireVerifier, MIN_HMAC_SECRET_BYTES } from "./keyring.js";
export type { Keyring, KeyEntry, KeyringOptions, SealAlg } from "./keyring.js";
export { sealDocument, sealDocumentBytes, sealArtifact } from "./sign.js";
export { verifySealedDocument, verifyArtifactSeal, SEAL_CODES } from "./verify.js";
export type { SealCode, SealRejection, VerifiedSeal } from "./verify.js";
export { loadKeyringFromSources, type KeyringSource } from "./keyring.js";
export { generateKeyring, combinedPrivateSet, type GeneratedKeyring, type JwkSetFile } from "./keygen.js";
export { initKeyringDirectory, PUBLIC_KEYRING_FILE, privateKeyringFile } from "./keys-init.js";
