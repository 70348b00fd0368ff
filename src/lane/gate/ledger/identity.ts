import { randomBytes } from "node:crypto";
import { FailclosedError } from "../../../kernel/errors.js";
import type { SqlDatabase } from "../../db/session.js";
import { migrateLedger } from "./migrate.js";
import { LEDGER_SCHEMA } from "./migrations.js";
import { sqlState } from "./sql-error.js";

/**
 * Which ledger a gate talks to (issue #13). A gate restarted on another ledger (a missing
 * FAILCLOSED_DATABASE_URL, a --data-dir typo, another working directory) would find no consumed
 * grants and allow every one still inside its window again. A ledger therefore carries an id and
 * its creation time, and a gate told which id to expect refuses every other ledger, and an empty
 * database, rather than create one.
 */
export interface LedgerIdentity {
  readonly ledgerId: string;
  /** RFC 3339 UTC, to the second. */
  readonly createdAt: string;
}

export type FoundLedger =
  /** No ledger schema at all: a fresh database. */
  | { readonly state: "empty" }
  /** A ledger (made by a version without identities) with no id yet. */
  | { readonly state: "unidentified" }
  | ({ readonly state: "identified" } & LedgerIdentity);

/** How a ledger came to be the one a gate opened. */
export type LedgerOrigin = "existing" | "created" | "adopted";

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// Catalog reads only: finding out must create nothing, and needs no privilege.
const FIND_SQL = `SELECT
  EXISTS (SELECT 1 FROM pg_catalog.pg_tables
          WHERE schemaname = '${LEDGER_SCHEMA}' AND tablename = 'schema_migrations') AS has_ledger,
  EXISTS (SELECT 1 FROM pg_catalog.pg_tables
          WHERE schemaname = '${LEDGER_SCHEMA}' AND tablename = 'ledger_identity') AS has_identity`;

const READ_SQL = `SELECT ledger_id,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at
  FROM ${LEDGER_SCHEMA}.ledger_identity`;

// RETURNING tells the one creator apart: a gate whose insert met another's row gets no row back.
// It also says, in the insert's own snapshot, whether the ledger had decided anything before it
// got its id: a consumed grant or an audit entry.
const INSERT_SQL = `INSERT INTO ${LEDGER_SCHEMA}.ledger_identity (ledger_id) VALUES ($1)
  ON CONFLICT (singleton) DO NOTHING
  RETURNING ledger_id,
    EXISTS (SELECT 1 FROM ${LEDGER_SCHEMA}.consumed_nonces)
      OR EXISTS (SELECT 1 FROM ${LEDGER_SCHEMA}.audit_log) AS had_history`;

export function isLedgerId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export async function findLedger(db: SqlDatabase): Promise<FoundLedger> {
  try {
    return await readLedger(db);
  } catch (cause) {
    if (cause instanceof FailclosedError) throw cause;
    // Only the SQLSTATE: a driver's message may name the host or the user.
    const state = sqlState(cause);
    throw new FailclosedError(
      "DATABASE_UNAVAILABLE",
      `cannot read the gate ledger's identity` +
        (state === undefined
          ? ""
          : ` (SQLSTATE ${state}${state === "42501" ? `: permission denied; grant SELECT on ${LEDGER_SCHEMA}.ledger_identity` : ""})`),
      { cause },
    );
  }
}

async function readLedger(db: SqlDatabase): Promise<FoundLedger> {
  const found = (await db.query(FIND_SQL)).rows[0];
  if (found?.["has_ledger"] !== true) return { state: "empty" };
  if (found["has_identity"] !== true) return { state: "unidentified" };
  const row = (await db.query(READ_SQL)).rows[0];
  if (row === undefined) return { state: "unidentified" };
  const ledgerId = row["ledger_id"];
  const createdAt = row["created_at"];
  if (typeof ledgerId !== "string" || typeof createdAt !== "string") {
    throw new FailclosedError(
      "DATABASE_UNAVAILABLE",
      `${LEDGER_SCHEMA}.ledger_identity returned an unexpected row`,
    );
  }
  return { state: "identified", ledgerId, createdAt };
}

/**
 * Migrates the ledger and gives it an id if it has none (a concurrent creator's id wins: the
 * insert does nothing and the row is read back). The explicit step behind `failclosed ledger init`,
 * and behind a first run that was not told which ledger to expect.
 *
 * Only the gate whose insert made the row announces it: gates that start together on an empty
 * database race to insert, but the row's unique singleton key admits one insert, so exactly one
 * announces and the others report the existing one. What it announces is read from the ledger,
 * not from what that gate saw before it migrated: "adopted" when the ledger already holds a
 * consumed grant or an audit entry (one made before identities, which has decided things),
 * "created" when it holds neither. A gate that found the schema half-built by another start
 * (the tables there, no id yet) may be the one whose insert wins; the ledger is still new and
 * empty, and it is announced as such, once.
 */
export async function identifyLedger(db: SqlDatabase): Promise<LedgerIdentity & { origin: LedgerOrigin }> {
  const before = await findLedger(db);
  if (before.state === "identified") return { ...identity(before), origin: "existing" };
  await migrateLedger(db);
  const insertedRows = (await db.query(INSERT_SQL, [newLedgerId()])).rows;
  const inserted = insertedRows.length === 1;
  const after = await findLedger(db);
  if (after.state !== "identified") {
    throw new FailclosedError("DATABASE_UNAVAILABLE", "the ledger's identity could not be recorded");
  }
  const origin: LedgerOrigin = !inserted
    ? "existing"
    : insertedRows[0]?.["had_history"] === false
      ? "created"
      : "adopted";
  return { ...identity(after), origin };
}

/**
 * The ledger a gate may open. With `expected`, only that ledger: an empty or unidentified
 * database, or another ledger, is LEDGER_UNKNOWN and nothing is created. Without, a ledger is
 * found or made (origin says which, for the caller to announce loudly).
 */
export async function establishLedger(
  db: SqlDatabase,
  expected: string | undefined,
): Promise<LedgerIdentity & { origin: LedgerOrigin }> {
  if (expected === undefined) return identifyLedger(db);
  const found = await findLedger(db);
  switch (found.state) {
    case "empty":
      throw new FailclosedError(
        "LEDGER_UNKNOWN",
        `expected ledger ${expected}, but this database holds no gate ledger: refusing to start on an ` +
          `empty one, which would allow every consumed grant again. Check --database-url, ` +
          `FAILCLOSED_DATABASE_URL, --data-dir and the working directory; a new ledger is made only ` +
          `by 'failclosed ledger init'.`,
      );
    case "unidentified":
      throw new FailclosedError(
        "LEDGER_UNKNOWN",
        `expected ledger ${expected}, but this database holds a ledger without an id: give it one ` +
          `with 'failclosed ledger init' and configure the id it prints.`,
      );
    case "identified":
      if (found.ledgerId !== expected) {
        throw new FailclosedError(
          "LEDGER_UNKNOWN",
          `expected ledger ${expected}, but this database holds ledger ${found.ledgerId} ` +
            `(created ${found.createdAt}): refusing to start on another ledger.`,
        );
      }
      return { ...identity(found), origin: "existing" };
  }
}

function identity(found: LedgerIdentity): LedgerIdentity {
  return { ledgerId: found.ledgerId, createdAt: found.createdAt };
}

function newLedgerId(): string {
  return `ledger-${randomBytes(8).toString("hex")}`;
}
