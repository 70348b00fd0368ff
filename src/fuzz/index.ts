// The surface probe families use (probes/ imports only this, through src/index.ts).
export type {
  ProbeFamily,
  FamilyContext,
  Operation,
  ProbeRole,
  Step,
  CloneSetup,
  SeedCorpus,
  SeedPacket,
} from "./types.js";
export * from "./craft/documents.js";
export * from "./craft/authorized.js";
export * from "./craft/seal.js";
export * from "./craft/json-render.js";
export * from "./craft/malformations.js";
export * from "./craft/entropy.js";
export * from "./craft/bases.js";
export * from "./craft/chain-by-key.js";
// The programmatic run API (what `failclosed run` and `replay` do, returning results).
export * from "./run/index.js";
// The attack vocabulary: every family's flaw tables (src/fuzz/vocab).
export * from "./vocab/index.js";
