/**
 * Why the codec refused a document: a stable code, the SPEC rule it enforces, and where. A
 * rejection never carries input bytes (G7): only the code, a byte offset into the input and, for
 * schema errors, a JSON pointer made of schema-known member names and indexes.
 */
export const CODEC_CODES = {
  too_large: "R4",
  bom: "R1",
  utf8_invalid: "R1",
  syntax: "R1",
  lone_surrogate: "R2",
  duplicate_member: "R3",
  too_deep: "R4",
  string_too_long: "R4",
  array_too_long: "R4",
  number_not_integer: "R5",
  number_out_of_range: "R5",
  negative_zero: "R5",
  forbidden_member: "R6",
  not_object: "R7",
  unknown_member: "R7",
  missing_member: "R7",
  wrong_type: "R7",
  schema_violation: "R7",
  enum_mismatch: "R8",
  timestamp_invalid: "R9",
  pattern_mismatch: "R11",
  window_invalid: "R9",
  duplicate_id: "R7",
} as const;

export type CodecCode = keyof typeof CODEC_CODES;
export type CodecRule = (typeof CODEC_CODES)[CodecCode];

export interface CodecRejection {
  readonly code: CodecCode;
  readonly rule: CodecRule;
  /** Byte offset into the input, when the scanner found it. */
  readonly at?: number;
  /** JSON pointer for schema errors; only member names the schema knows, and array indexes. */
  readonly path?: string;
}

/** Scanner-level codes: the input is not strict JSON (the gate reports these as malformed input). */
const MALFORMED: ReadonlySet<CodecCode> = new Set<CodecCode>([
  "too_large",
  "bom",
  "utf8_invalid",
  "syntax",
  "lone_surrogate",
  "duplicate_member",
  "too_deep",
  "string_too_long",
  "array_too_long",
  "number_not_integer",
  "number_out_of_range",
  "negative_zero",
  "forbidden_member",
]);

export function isMalformed(code: CodecCode): boolean {
  return MALFORMED.has(code);
}

export function rejection(code: CodecCode, extra: { at?: number; path?: string } = {}): CodecRejection {
  return { code, rule: CODEC_CODES[code], ...extra };
}
