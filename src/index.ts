// The public programmatic surface. Probes and external users import from here only.
export * from "./kernel/result.js";
export * from "./kernel/errors.js";
export * from "./lane/codec/index.js";
export * from "./lane/seal/index.js";
export * from "./fuzz/index.js";
// The run, as the command line does it: runFailclosed returns a RunResult with the report.
export * from "./fuzz/run/index.js";
// The fuzzer's own calibration (failclosed calibrate): flaws planted in the reference lane, found
// or missed, and the report the release gate can require.
export {
  calibrate,
  CALIBRATE_DEFAULTS,
  CATALOGUE,
  flawIds,
  readCalibration,
  validateCalibration,
  writeCalibration,
  calibrated,
  type CalibrateOptions,
  type CalibrationRead,
  type CalibrationReport,
  type Flaw,
  type FlawOracle,
  type FlawOutcome,
  type FlawResult,
  type FlawSwap,
} from "./fuzz/calibrate/index.js";
// The release gate over reports (shards merge), and the formats around it.
export {
  evaluateGate,
  formatGate,
  gateExitCode,
  RELEASE_FAMILIES,
  readReport,
  renderSarif,
  findingFingerprint,
  FINGERPRINT_KEY,
  SARIF_FILE,
  type SarifOptions,
  type GateFamily,
  type GateProblem,
  type GateProblemKind,
  type GateRequirement,
  type GateResult,
} from "./fuzz/report/index.js";
export type { Report } from "./fuzz/report-types.js";
export type { Finding, FamilyResult, FamilyStatus, Versions } from "./fuzz/types.js";
export { applyBaseline, type BaselineOutcome, type KnownFinding } from "./fuzz/baseline/apply.js";
export { parseBaseline, readBaseline, type Baseline, type BaselineEntry } from "./fuzz/baseline/baseline.js";
// The reference gate service and its transports (SPEC section 8).
export {
  openGateService,
  startHttpServer,
  serveJsonLines,
  type GateService,
  type GateServiceOptions,
  type HttpOptions,
  type RunningHttpServer,
  type Service,
  type Answer,
} from "./lane/index.js";
// Attestations: evidence and release decisions as in-toto Statements in DSSE envelopes.
export * from "./attest/index.js";
