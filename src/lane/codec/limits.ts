/** SPEC R4 limits, in one place so the scanner, the schemas' tests and the fuzzer agree. */
export const MAX_DOCUMENT_BYTES = 65_536;
export const MAX_DEPTH = 32;
/** Counted in Unicode code points after unescaping. */
export const MAX_STRING_CHARS = 4_096;
export const MAX_ARRAY_ITEMS = 256;
