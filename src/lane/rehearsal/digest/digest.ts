import type { SqlDatabase, SqlSession } from "../../db/session.js";
import { err, ok, type Result } from "../../../kernel/result.js";
import type { CanonicalSink } from "./canonical.js";
import { DigestAbort, digestFailure, FoldedFailure, inSection } from "./failure.js";
import { computeFolded } from "./folded.js";
import { computePerSection } from "./per-section.js";
import { beginDigest, endDigest, type DigestTransaction } from "./transaction.js";
import type { DatabaseDigest, DigestError } from "./types.js";

export { CLUSTER_DIGEST_FORMAT, DIGEST_FORMAT, isDigestHex } from "./types.js";
export type { DatabaseDigest, DigestError, DigestErrorKind, ScopeDigest } from "./types.js";

export interface DigestOptions {
  /** Receives the canonical text as it is hashed (for evidence or for diffing two digests). */
  readonly onCanonicalText?: CanonicalSink;
  /** Tests compare the two; both give the same text. */
  readonly strategy?: DigestStrategy;
}

/**
 * The canonical digest of the database behind `session` (SPEC C5). On an idle session it runs
 * in its own REPEATABLE READ READ ONLY transaction; inside an open transaction (which must be
 * REPEATABLE READ or SERIALIZABLE) it runs in a savepoint and leaves the transaction as it was.
 * Given a whole SqlDatabase (a pool, or PGlite's locked handle) it takes one dedicated session,
 * since the digest's statements must all run on one connection.
 */
export async function digestDatabase(
  session: SqlSession,
  options: DigestOptions = {},
): Promise<Result<DatabaseDigest, DigestError>> {
  if (isDatabase(session)) return session.withSession((dedicated) => digestOn(dedicated, options));
  return digestOn(session, options);
}

function isDatabase(session: SqlSession): session is SqlDatabase {
  return typeof (session as Partial<SqlDatabase>).withSession === "function";
}

/** How a digest reads: folded (the default, two statements) or one section per statement. */
export type DigestStrategy = "folded" | "per-section";

async function digestOn(
  session: SqlSession,
  options: DigestOptions,
): Promise<Result<DatabaseDigest, DigestError>> {
  const strategy = options.strategy ?? "folded";
  const first = await attempt(session, (s) =>
    strategy === "folded"
      ? computeFolded(s, options.onCanonicalText)
      : computePerSection(s, options.onCanonicalText),
  );
  if (first.ok || !first.diagnose) return first.result;
  // A folded statement failed and can only name its group: the same digest one section per
  // statement names the section that fails. It never yields a digest here: if it passes (the
  // failure was passing), the folded failure stands.
  const diagnosis = await attempt(session, (s) => computePerSection(s));
  return diagnosis.ok ? first.result : diagnosis.result;
}

type Attempt =
  | { readonly ok: true; readonly result: Result<DatabaseDigest, DigestError> }
  | { readonly ok: false; readonly result: Result<DatabaseDigest, DigestError>; readonly diagnose: boolean };

/** One digest in its own transaction (or savepoint), ended whatever happens. */
async function attempt(
  session: SqlSession,
  compute: (session: SqlSession) => Promise<DatabaseDigest>,
): Promise<Attempt> {
  let mode: DigestTransaction;
  try {
    mode = await inSection("transaction", () => beginDigest(session));
  } catch (error) {
    return { ok: false, result: err(failureOf("transaction", error)), diagnose: false };
  }
  let outcome: Attempt;
  try {
    outcome = { ok: true, result: ok(await compute(session)) };
  } catch (error) {
    outcome = {
      ok: false,
      result: err(failureOf("internal", error)),
      diagnose: error instanceof FoldedFailure,
    };
  }
  try {
    await endDigest(session, mode);
  } catch (error) {
    // A digest whose transaction did not end cleanly is not trusted, however complete; nor is the
    // session, so no diagnosis runs on it.
    const failure = outcome.ok ? digestFailure("transaction", error) : undefined;
    return { ok: false, result: failure === undefined ? outcome.result : err(failure), diagnose: false };
  }
  return outcome;
}

function failureOf(section: string, error: unknown): DigestError {
  return error instanceof DigestAbort ? error.failure : digestFailure(section, error);
}
