import type { SqlDatabase, SqlSession } from "../../db/session.js";
import { err, ok, type Result } from "../../../kernel/result.js";
import { canonicalLine, compareBytewise, ScopeWriter } from "./canonical.js";
import { clusterSections } from "./cluster.js";
import { listDataRelations, writeSequences, writeTables } from "./data.js";
import { DigestAbort, digestFailure, inSection } from "./failure.js";
import { largeObjectSection, objectSections } from "./schema-objects.js";
import { routineSections } from "./schema-routines.js";
import { tableSections } from "./schema-tables.js";
import { scopeSections } from "./scope.js";
import type { CatalogSection } from "./section.js";
import type { DigestContext } from "./sql.js";
import { beginDigest, endDigest, type DigestTransaction } from "./transaction.js";
import { CLUSTER_DIGEST_FORMAT, DIGEST_FORMAT, type DatabaseDigest, type DigestError } from "./types.js";

export { CLUSTER_DIGEST_FORMAT, DIGEST_FORMAT, isDigestHex } from "./types.js";
export type { DatabaseDigest, DigestError, DigestErrorKind, ScopeDigest } from "./types.js";

export interface DigestOptions {
  /** Receives the canonical text as it is hashed (for evidence or for diffing two digests). */
  readonly onCanonicalText?: (scope: "database" | "cluster", chunk: string) => void;
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

async function digestOn(
  session: SqlSession,
  options: DigestOptions,
): Promise<Result<DatabaseDigest, DigestError>> {
  let mode: DigestTransaction;
  try {
    mode = await inSection("transaction", () => beginDigest(session));
  } catch (error) {
    return err(failureOf("transaction", error));
  }
  let result: Result<DatabaseDigest, DigestError>;
  try {
    result = ok(await compute(session, options));
  } catch (error) {
    result = err(failureOf("internal", error));
  }
  try {
    await endDigest(session, mode);
  } catch (error) {
    // A digest whose transaction did not end cleanly is not trusted, however complete.
    if (result.ok) result = err(digestFailure("transaction", error));
  }
  return result;
}

function failureOf(section: string, error: unknown): DigestError {
  return error instanceof DigestAbort ? error.failure : digestFailure(section, error);
}

interface Anchor {
  readonly context: DigestContext;
  readonly pid: string;
  readonly started: string;
}

async function anchor(session: SqlSession): Promise<Anchor> {
  const { rows } =
    await session.query(`SELECT d.oid::pg_catalog.text AS database_oid, d.datdba::pg_catalog.text AS owner_oid,
      pg_catalog.pg_backend_pid()::pg_catalog.text AS pid, pg_catalog.transaction_timestamp()::pg_catalog.text AS started
    FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database()`);
  const row = rows[0];
  if (rows.length !== 1 || row === undefined) throw new Error("the current database is not in pg_database");
  const field = (name: string): string => {
    const value = row[name];
    if (typeof value !== "string") throw new TypeError(`digest: ${name} is not text`);
    return value;
  };
  return {
    context: { databaseOid: field("database_oid"), ownerOid: field("owner_oid") },
    pid: field("pid"),
    started: field("started"),
  };
}

/** A catalog section's rows as canonical lines; every column must be text or NULL. */
async function catalogLines(session: SqlSession, section: CatalogSection): Promise<string[]> {
  const { rows } = await session.query(section.sql);
  const normalised = section.normalise === undefined ? rows : await Promise.all(rows.map(section.normalise));
  return normalised.map((row) => {
    const fields = Object.values(row).map((value) => {
      if (typeof value === "string" || value === null) return value;
      throw new TypeError(
        `digest: ${section.name} returned a ${typeof value} column; every column must be text`,
      );
    });
    return canonicalLine(fields);
  });
}

async function writeCatalog(
  session: SqlSession,
  sections: readonly CatalogSection[],
  writer: ScopeWriter,
): Promise<void> {
  const byName = [...sections].sort((a, b) => compareBytewise(a.name, b.name));
  for (const section of byName) {
    const lines = await inSection(section.name, () => catalogLines(session, section));
    writer.wholeSection(section.name, lines);
  }
}

async function compute(session: SqlSession, options: DigestOptions): Promise<DatabaseDigest> {
  const start = await inSection("transaction", () => anchor(session));
  const ctx = start.context;
  const sink = options.onCanonicalText;

  const database = new ScopeWriter(DIGEST_FORMAT, sink && ((chunk) => sink("database", chunk)));
  // Section names sort as: database, large-objects, roles, schema:*, sequence:*, table:*; the
  // writer refuses any other order, so the text stays canonical.
  await writeCatalog(
    session,
    [
      ...scopeSections(ctx),
      largeObjectSection(ctx),
      ...tableSections(ctx),
      ...routineSections(ctx),
      ...objectSections(ctx),
    ],
    database,
  );
  const relations = await inSection("relations", () => listDataRelations(session));
  await writeSequences(session, relations.sequences, database);
  const rows = await writeTables(session, relations.tables, database);

  const cluster = new ScopeWriter(CLUSTER_DIGEST_FORMAT, sink && ((chunk) => sink("cluster", chunk)));
  await writeCatalog(session, clusterSections(), cluster);

  // Every statement must have run on one backend inside one transaction; a pooled session
  // that changed connections midway would have read a mixture of snapshots and settings.
  const end = await inSection("transaction", () => anchor(session));
  if (end.pid !== start.pid || end.started !== start.started) {
    throw new DigestAbort({
      kind: "digest_failed",
      section: "transaction",
      message: "the session changed connection or transaction while digesting",
    });
  }
  return {
    format: DIGEST_FORMAT,
    ...database.finish(),
    totals: { tables: relations.tables.length, rows, sequences: relations.sequences.length },
    cluster: { format: CLUSTER_DIGEST_FORMAT, ...cluster.finish() },
  };
}
