/**
 * Errors thrown at the edge (files, flags, environment, start-up). Each carries a stable code that
 * users and scripts may match on; messages may change, codes may not. The list is documented in
 * docs/protocol.md.
 */
export const ERROR_CODES = [
  "USAGE",
  "FILE_UNREADABLE",
  "FILE_EXISTS",
  "FILE_UNWRITABLE",
  "KEYRING_INVALID",
  "KEYRING_PERMISSIONS",
  "KEY_MISSING",
  "KEY_WRONG_ROLE",
  "KEY_ALG_MISMATCH",
  "HMAC_SECRET_TOO_SHORT",
  "EXAMPLE_KEY_REFUSED",
  "TEST_KEYRING_REFUSED",
  "DOCUMENT_INVALID",
  "SEAL_INVALID",
  "TREE_INVALID",
  "CONFIG_INVALID",
  "DATABASE_UNAVAILABLE",
  "DATABASE_MIGRATION_FAILED",
  "LEDGER_LOCKED",
  "LEDGER_UNKNOWN",
  "LEDGER_EXISTS",
  "ADDRESS_IN_USE",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class FailclosedError extends Error {
  override readonly name = "FailclosedError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isFailclosedError(value: unknown): value is FailclosedError {
  return value instanceof FailclosedError;
}
