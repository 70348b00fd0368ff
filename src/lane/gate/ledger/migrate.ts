import { FailclosedError } from "../../../kernel/errors.js";
import { assertNever } from "../../../kernel/result.js";
import type { SqlDatabase, SqlSession } from "../../db/session.js";
import { sqlState } from "./sql-error.js";
import { LEDGER_MIGRATIONS, LEDGER_SCHEMA } from "./migrations.js";

/**
 * Brings the ledger schema to the newest version this code knows, one migration per transaction.
 * Each transaction first takes a transaction-scoped advisory lock, so gates starting together
 * against one server queue up instead of racing to create the same objects; the lock goes away
 * with the transaction, also when a gate dies mid-way.
 */

// An arbitrary but fixed key pair: "fclg" (failclosed gate) and 1 for "migrations".
const LOCK_SQL = "SELECT pg_catalog.pg_advisory_xact_lock(1717791847, 1)";

// Read from the catalog, which needs no privilege: a least-privileged gate role (no CREATE on the
// database) must still be able to start against a schema an administrator already created or
// migrated, and CREATE SCHEMA IF NOT EXISTS would demand that privilege even when the schema exists.
const EXISTING_SQL = `SELECT
  EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = '${LEDGER_SCHEMA}') AS has_schema,
  EXISTS (SELECT 1 FROM pg_catalog.pg_tables
          WHERE schemaname = '${LEDGER_SCHEMA}' AND tablename = 'schema_migrations') AS has_versions`;

const CREATE_SCHEMA_SQL = `CREATE SCHEMA ${LEDGER_SCHEMA}`;

const CREATE_VERSIONS_SQL = `
CREATE TABLE ${LEDGER_SCHEMA}.schema_migrations (
  version     integer PRIMARY KEY CHECK (version > 0),
  description text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
);`;

const VERSION_SQL = `SELECT coalesce(max(version), 0)::int AS version, count(*)::int AS applied
  FROM ${LEDGER_SCHEMA}.schema_migrations`;

const RECORD_SQL = `INSERT INTO ${LEDGER_SCHEMA}.schema_migrations (version, description) VALUES ($1, $2)`;

export const LEDGER_SCHEMA_VERSION = LEDGER_MIGRATIONS.length;

type Step = "applied" | "current";

function failed(message: string, cause?: unknown): FailclosedError {
  return new FailclosedError(
    "DATABASE_MIGRATION_FAILED",
    message,
    cause === undefined ? undefined : { cause },
  );
}

async function currentVersion(session: SqlSession): Promise<number> {
  const existing = (await session.query(EXISTING_SQL)).rows[0];
  if (existing?.["has_versions"] !== true) {
    if (existing?.["has_schema"] !== true) await session.exec(CREATE_SCHEMA_SQL);
    await session.exec(CREATE_VERSIONS_SQL);
    return 0;
  }
  const row = (await session.query(VERSION_SQL)).rows[0];
  const version = row?.["version"];
  const applied = row?.["applied"];
  if (typeof version !== "number" || typeof applied !== "number") {
    throw failed(`${LEDGER_SCHEMA}.schema_migrations returned an unexpected row`);
  }
  // Versions are applied in order from 1, so a gap means someone edited the history by hand.
  if (applied !== version) throw failed(`${LEDGER_SCHEMA}.schema_migrations has gaps; refusing to guess`);
  return version;
}

async function step(session: SqlSession): Promise<Step> {
  await session.exec("BEGIN");
  try {
    await session.query(LOCK_SQL);
    const version = await currentVersion(session);
    if (version > LEDGER_SCHEMA_VERSION) {
      throw failed(
        `${LEDGER_SCHEMA} is at schema version ${version}, newer than this failclosed knows ` +
          `(${LEDGER_SCHEMA_VERSION}); refusing to run against it`,
      );
    }
    const next = LEDGER_MIGRATIONS[version];
    if (next === undefined) {
      await session.exec("COMMIT");
      return "current";
    }
    await session.exec(next.sql);
    await session.query(RECORD_SQL, [next.version, next.description]);
    await session.exec("COMMIT");
    return "applied";
  } catch (error) {
    // The original error is what matters; a failed rollback leaves the pg connection to be
    // discarded by withSession, and on PGlite the open() fails anyway.
    await session.exec("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Returns the schema version reached. Throws DATABASE_MIGRATION_FAILED with a message free of
 * connection details (only the SQLSTATE of the cause is named; the cause is attached). */
export async function migrateLedger(db: SqlDatabase): Promise<number> {
  for (;;) {
    let outcome: Step;
    try {
      outcome = await db.withSession(step);
    } catch (error) {
      if (error instanceof FailclosedError) throw error;
      const state = sqlState(error);
      throw failed(
        `cannot migrate the gate ledger schema ${LEDGER_SCHEMA}` +
          (state === undefined
            ? ""
            : ` (SQLSTATE ${state}${state === "42501" ? ": permission denied" : ""})`),
        error,
      );
    }
    switch (outcome) {
      case "applied":
        continue;
      case "current":
        return LEDGER_SCHEMA_VERSION;
      default:
        return assertNever(outcome, "migration step");
    }
  }
}
