import type { DigestError } from "./types.js";

/** The SQLSTATE of a server error from either adapter (pg and PGlite both expose `code`). */
export function sqlstateOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = error.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Classifies a failure while reading a section. Insufficient privilege (42501, also raised
 * for a table that row level security would filter, since the digest runs with row_security =
 * off) means the section exists but could not be read in full: digest_incomplete. Anything else
 * is digest_failed.
 */
export function digestFailure(section: string, error: unknown): DigestError {
  const sqlstate = sqlstateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: sqlstate === "42501" ? "digest_incomplete" : "digest_failed",
    section,
    message,
    ...(sqlstate === undefined ? {} : { sqlstate }),
  };
}

/** Thrown inside the digest to carry a classified failure out to the one place that returns it. */
export class DigestAbort extends Error {
  override readonly name = "DigestAbort";
  constructor(readonly failure: DigestError) {
    super(`${failure.kind} in ${failure.section}: ${failure.message}`);
  }
}

/** Runs one step, turning any error into a DigestAbort naming the section. */
export async function inSection<T>(section: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof DigestAbort) throw error;
    throw new DigestAbort(digestFailure(section, error));
  }
}

/**
 * A failure of a statement that read several sections at once (folded.ts), so its section names
 * a group (`catalog`, `data (table:a … table:b)`). digest.ts reruns the digest one section per
 * statement to name the section that failed; the folded failure stands if that rerun passes.
 */
export class FoldedFailure extends DigestAbort {}

/** Runs one folded statement: a server's refusal is a FoldedFailure, anything else a DigestAbort. */
export async function inFolded<T>(group: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof DigestAbort) throw error;
    const failure = digestFailure(group, error);
    throw failure.sqlstate === undefined ? new DigestAbort(failure) : new FoldedFailure(failure);
  }
}
