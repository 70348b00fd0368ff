import { type Result, err, ok } from "../../kernel/result.js";
import { MAX_MIGRATION_BYTES, MAX_REHEARSAL_REQUEST_BYTES, MAX_STRING_CHARS } from "./limits.js";
import { type CodecRejection, rejection } from "./rejection.js";
import { type JsonValue, type ScanLimits, scanJson } from "./scanner.js";

/**
 * R4's exception for rehearsal requests: scanned with limits wide enough for a 1 MiB migration,
 * then every string but the root's `migration` held to the ordinary 4,096 characters, and that one
 * to 1 MiB of UTF-8. The walk is bounded: the scanner has already refused anything deeper than 32
 * levels or longer than 256 items per array.
 */
const REHEARSAL_SCAN: ScanLimits = {
  maxDocumentBytes: MAX_REHEARSAL_REQUEST_BYTES,
  // Code points never outnumber UTF-8 bytes: this admits every migration of at most 1 MiB.
  maxStringChars: MAX_MIGRATION_BYTES,
};

export function scanRehearsalRequest(bytes: Uint8Array): Result<JsonValue, CodecRejection> {
  const scanned = scanJson(bytes, REHEARSAL_SCAN);
  if (!scanned.ok) return scanned;
  const value = scanned.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return scanned;
  for (const [name, member] of Object.entries(value)) {
    if (name === "migration" && typeof member === "string") {
      if (Buffer.byteLength(member, "utf8") > MAX_MIGRATION_BYTES) return err(rejection("string_too_long"));
    } else if (!withinOrdinaryLimits(name) || !withinOrdinaryLimits(member)) {
      return err(rejection("string_too_long"));
    }
  }
  return ok(value);
}

function withinOrdinaryLimits(value: JsonValue): boolean {
  if (typeof value === "string") return codePoints(value) <= MAX_STRING_CHARS;
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return (value as readonly JsonValue[]).every(withinOrdinaryLimits);
  return Object.entries(value).every(
    ([name, member]) => withinOrdinaryLimits(name) && withinOrdinaryLimits(member),
  );
}

/** The scanner has already refused lone surrogates, so every surrogate here is half of a pair. */
function codePoints(value: string): number {
  if (value.length <= MAX_STRING_CHARS) return value.length;
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) count++;
  }
  return count;
}
