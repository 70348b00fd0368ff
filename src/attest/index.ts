// Attestations: sealed evidence and release decisions as in-toto Statements in DSSE envelopes.
export * from "./dsse.js";
export * from "./statement.js";
export { attestEvidence } from "./evidence.js";
export { attestRelease } from "./release.js";
