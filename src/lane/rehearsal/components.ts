/**
 * The rehearsal lane's swappable parts. Each seam exists for tests that prove the fuzzer catches a
 * flawed version of that part (issue: "each family must find a real bug"); production passes
 * none, and then every part is the shipped one below. Each seam is a plain function with the
 * arguments the shipped code already takes.
 */
import type { RehearsalResult } from "../codec/documents.js";
import { encodeDocument } from "../codec/encode.js";
import type { SqlSession } from "../db/session.js";
import type { Result } from "../../kernel/result.js";
import { classifyMigration, type ClassifiedMigration, type ClassifierRefusal } from "./classify/classify.js";
import { digestDatabase } from "./digest/digest.js";
import type { DatabaseDigest, DigestError } from "./digest/types.js";
import { guardClone } from "./guard.js";
import { takeBackSession } from "./session/settings.js";

/** C2 (P08): the migration parsed and judged before anything runs. */
export type Classify = (sql: string) => Promise<Result<ClassifiedMigration, ClassifierRefusal>>;

/** C1 (P07): the clone's identity, role and marker, read before anything runs. */
export type Guard = typeof guardClone;

/**
 * C5 (P08): the digests a rehearsal takes (before, after_apply, after_rollback, and the check that
 * a repaired clone is back to before). Given a whole database it takes a session of its own.
 */
export type Digest = (session: SqlSession) => Promise<Result<DatabaseDigest, DigestError>>;

/**
 * C3, C5 (P08): takes the migration's session back before the lane reads from it (deferred
 * constraints checked, every setting the migration could change put back); `statementTimeoutMs`
 * is the statement timeout the lane's own statements in that session get next.
 */
export type TakeBack = (session: SqlSession, statementTimeoutMs: number) => Promise<void>;

/**
 * G7 (P08): a result to the bytes every transport sends. Like the gate's WriteVerdict it is handed
 * the request's bytes only so that a test can model an error path that echoes them; the shipped
 * writer never reads them.
 */
export type WriteResult = (result: RehearsalResult, request: Uint8Array) => Uint8Array;

export interface LaneComponents {
  readonly classify: Classify;
  readonly guard: Guard;
  readonly digest: Digest;
  readonly takeBack: TakeBack;
  readonly writeResult: WriteResult;
}

/** The shipped lane: what openLane uses for every part it is not given. */
export const SHIPPED_LANE_COMPONENTS: LaneComponents = Object.freeze({
  classify: classifyMigration,
  guard: guardClone,
  digest: (session: SqlSession) => digestDatabase(session),
  takeBack: takeBackSession,
  writeResult: (result: RehearsalResult) => encodeDocument("rehearsal-result", result),
});

/**
 * The shipped parts with the given ones swapped in. Field by field rather than a spread: a seam
 * given as undefined keeps the shipped part instead of removing it.
 */
export function laneComponents(swapped: Partial<LaneComponents> = {}): LaneComponents {
  const shipped = SHIPPED_LANE_COMPONENTS;
  return {
    classify: swapped.classify ?? shipped.classify,
    guard: swapped.guard ?? shipped.guard,
    digest: swapped.digest ?? shipped.digest,
    takeBack: swapped.takeBack ?? shipped.takeBack,
    writeResult: swapped.writeResult ?? shipped.writeResult,
  };
}
