export * from "./documents.js";
export * from "./rejection.js";
export * from "./limits.js";
export { scanJson, type JsonValue, type JsonObject, type JsonArray } from "./scanner.js";
export { decodeDocument, type Decoded } from "./decode.js";
export { encodeDocument } from "./encode.js";
export { loadSchemaFiles } from "./schemas.js";
export {
  isUtcTimestamp,
  isCanonicalBase64url,
  isNonce,
  formatTimestamp,
  timestampSeconds,
} from "./formats.js";
export {
  PACKET_MAX_LIFETIME_SECONDS,
  GRANT_MAX_WINDOW_SECONDS,
  PERMIT_MAX_LIFETIME_SECONDS,
} from "./semantics.js";
