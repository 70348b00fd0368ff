/** SPEC R4 limits, in one place so the scanner, the schemas' tests and the fuzzer agree. */
export const MAX_DOCUMENT_BYTES = 65_536;
export const MAX_DEPTH = 32;
/** Counted in Unicode code points after unescaping. */
export const MAX_STRING_CHARS = 4_096;
export const MAX_ARRAY_ITEMS = 256;

/**
 * R4's one exception: a rehearsal request's `migration` may hold up to 1 MiB of SQL, counted in
 * UTF-8 bytes (the bytes its artifact_sha256 covers), and the whole request may then be up to
 * 1 MiB + 64 KiB. Every other member of it keeps the 4,096-character limit.
 */
export const MAX_MIGRATION_BYTES = 1_048_576;
export const MAX_REHEARSAL_REQUEST_BYTES = MAX_MIGRATION_BYTES + MAX_DOCUMENT_BYTES;
