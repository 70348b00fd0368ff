/**
 * Reads what the ledger needs from a database error without trusting its shape: pg and PGlite both
 * raise errors carrying `code` (the SQLSTATE) and `constraint`, but Node's own errors also have a
 * `code` (ECONNREFUSED), so only a five-character SQLSTATE counts.
 */
const SQLSTATE = /^[0-9A-Z]{5}$/;

function field(error: unknown, name: "code" | "constraint"): string | undefined {
  if (typeof error !== "object" || error === null || !(name in error)) return undefined;
  const value: unknown = (error as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

export function sqlState(error: unknown): string | undefined {
  const code = field(error, "code");
  return code !== undefined && SQLSTATE.test(code) ? code : undefined;
}

export function violatedConstraint(error: unknown): string | undefined {
  return field(error, "constraint");
}

export const UNIQUE_VIOLATION = "23505";

/** Deadlock or serialization failure: the transaction did nothing and may simply be run again. */
export function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  return state === "40P01" || state === "40001";
}
