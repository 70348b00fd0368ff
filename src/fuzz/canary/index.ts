export { canariesFromJwks } from "./extract.js";
export { plantCanaryKey, CANARY_KID_PREFIX, type CanaryJwk } from "./plant.js";
export {
  encodings,
  labelledEncodings,
  secretBytes,
  MIN_ENCODING_LENGTH,
  type CanaryEncoding,
} from "./encodings.js";
export { makeScanner, type CanaryScanner } from "./scanner.js";
