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
export * from "./build/documents.js";
export * from "./build/authorized.js";
export * from "./build/seal.js";
export * from "./build/json-render.js";
export * from "./build/malformations.js";
export * from "./build/entropy.js";
export * from "./build/bases.js";
export * from "./build/chain-by-key.js";
