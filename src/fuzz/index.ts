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
// The fault drills (issue #15): configuration and dependency faults provoked in the reference lane.
export { faultDrillFamily, type FaultDrillOptions, type FaultDrillValue } from "./faults/family.js";
export {
  AUTHORIZED_REQUESTS,
  CLEAN_MIGRATIONS,
  ESCAPING_MIGRATIONS,
  LEAK_ATTACKS,
  type AuthorizedRequestValue,
  type ByteSource,
} from "./faults/sources.js";
export {
  FAULT_NAMES,
  FAULTS,
  faultsFor,
  isFaultName,
  type Fault,
  type FaultName,
} from "./faults/catalogue.js";
