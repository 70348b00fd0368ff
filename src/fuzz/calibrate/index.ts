export { calibrate, CALIBRATE_DEFAULTS, type CalibrateOptions } from "./calibrate.js";
export { CATALOGUE, flawIds } from "./catalogue.js";
export type { Flaw, FlawOracle, FlawSwap } from "./flaw.js";
export { formatFlaw, formatVerdict } from "./format.js";
export {
  readCalibration,
  validateCalibration,
  writeCalibration,
  type CalibrationRead,
} from "./report-file.js";
export { calibrated, type CalibrationReport, type FlawOutcome, type FlawResult } from "./results.js";
