import { randomBytes } from "node:crypto";
import type { SqlDatabase, SqlSession } from "../../../src/lane/db/session.js";
import type { AllowEntry, GrantUse, Ledger } from "../../../src/lane/gate/ledger/ledger.js";

/** Builders and scenarios shared by the PGlite and the real-server ledger tests. */

export function nonce(): string {
  return randomBytes(16).toString("base64url");
}

let serial = 0;
export function uniqueId(prefix: string): string {
  serial += 1;
  return `${prefix}-${process.pid}-${serial}-${randomBytes(3).toString("hex")}`;
}

export function grant(): GrantUse {
  return { grantId: uniqueId("grant"), nonce: nonce() };
}

export function allow(grants: readonly GrantUse[], requestId = uniqueId("req")): AllowEntry {
  return {
    requestId,
    packetId: "PKT-0001",
    action: "CUTOVER",
    permitId: uniqueId("permit"),
    grants,
    reasons: [],
  };
}

export interface RaceOutcome {
  readonly ok: number;
  readonly replayed: number;
  readonly internalError: number;
}

/** Runs all ALLOWs at once and counts the outcomes. */
export async function race(ledger: Ledger, entries: readonly AllowEntry[]): Promise<RaceOutcome> {
  const results = await Promise.all(entries.map((entry) => ledger.commitAllow(entry)));
  let ok = 0;
  let replayed = 0;
  let internalError = 0;
  for (const result of results) {
    if (result.ok) ok += 1;
    else if (result.error === "replayed") replayed += 1;
    else internalError += 1;
  }
  return { ok, replayed, internalError };
}

/** G3/G5 with two grants, the second grant's order flipped for half the requests. */
export function sameGrantsTimes(count: number): { grants: GrantUse[]; entries: AllowEntry[] } {
  const grants = [grant(), grant()];
  const flipped = [grants[1]!, grants[0]!];
  const entries = Array.from({ length: count }, (_, i) => allow(i % 2 === 0 ? grants : flipped));
  return { grants, entries };
}

/** Rows the ledger holds for one request: the test's view, straight from the table. */
export async function consumedBy(db: SqlDatabase, requestId: string): Promise<number> {
  const { rows } = await db.query(
    "SELECT count(*)::int AS n FROM failclosed_gate.consumed_nonces WHERE request_id = $1",
    [requestId],
  );
  return Number(rows[0]?.["n"]);
}

export interface ShareOutcome {
  readonly winners: number;
  readonly loserError: string | undefined;
  /** The loser's rows in consumed_nonces: its own, unshared grant included. Must be 0. */
  readonly loserRows: number;
  readonly loserOwnNonceConsumed: boolean;
}

/** Two requests that share only one of their two nonces, sent together: exactly one may win. */
export async function shareOneNonce(ledger: Ledger, db: SqlDatabase): Promise<ShareOutcome> {
  const shared = nonce();
  const a = allow([{ grantId: uniqueId("grant"), nonce: shared }, grant()]);
  const b = allow([grant(), { grantId: uniqueId("grant"), nonce: shared }]);
  const [ra, rb] = await Promise.all([ledger.commitAllow(a), ledger.commitAllow(b)]);
  const [loser, loserResult] = ra.ok ? [b, rb] : [a, ra];
  const own = loser.grants.find((g) => g.nonce !== shared);
  return {
    winners: (ra.ok ? 1 : 0) + (rb.ok ? 1 : 0),
    loserError: loserResult.ok ? undefined : loserResult.error,
    loserRows: await consumedBy(db, loser.requestId),
    loserOwnNonceConsumed: own === undefined || (await ledger.isConsumed(own.nonce)),
  };
}

/**
 * A database that fails on demand: while armed, statements whose SQL matches `failing` throw
 * (`times` of them, default all), in the shared handle and inside sessions alike. Stands in for a
 * server that dies mid-way or aborts a transaction.
 */
export interface Faulty {
  readonly db: SqlDatabase;
  arm(failing: RegExp | undefined, options?: { times?: number; error?: () => Error }): void;
}

export function faulty(db: SqlDatabase): Faulty {
  let failing: RegExp | undefined;
  let left = 0;
  let make = (): Error => new Error("injected fault");
  const guard = (sql: string): void => {
    if (failing?.test(sql) !== true || left <= 0) return;
    left -= 1;
    throw make();
  };
  const wrap = (session: SqlSession): SqlSession => ({
    async query(sql, params) {
      guard(sql);
      return session.query(sql, params);
    },
    async exec(sql) {
      guard(sql);
      return session.exec(sql);
    },
  });
  return {
    db: {
      engine: db.engine,
      ...wrap(db),
      withSession: (fn) => db.withSession((session) => fn(wrap(session))),
      close: () => db.close(),
    },
    arm(pattern, options = {}) {
      failing = pattern;
      left = options.times ?? Number.POSITIVE_INFINITY;
      make = options.error ?? ((): Error => new Error("injected fault"));
    },
  };
}

/** What pg and PGlite raise when the server aborts a transaction to break a deadlock. */
export class DeadlockDetected extends Error {
  readonly code = "40P01";
}
