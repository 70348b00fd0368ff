import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import pg from "pg";
import { copyDirectory } from "../../../kernel/copy-directory.js";
import { FailclosedError } from "../../../kernel/errors.js";
import { openPgliteWorker } from "../../db/pglite-worker.js";
import type { SqlDatabase } from "../../db/session.js";
import type { LaneConfig } from "../config.js";
import { urlIdentity } from "../config.js";
import { openDisposablePostgres } from "./disposable-postgres.js";

/** A snapshot to restore the clone from (C4); only its backend knows what it holds. */
export interface Snapshot {
  readonly id: string;
}

/**
 * How the lane reaches its clone, and how it snapshots and restores it (C4). Snapshots need the
 * clone closed: a real server copies a database only while nobody is connected to it.
 */
export interface CloneBackend {
  readonly engine: SqlDatabase["engine"];
  open(): Promise<SqlDatabase>;
  snapshot(): Promise<Snapshot>;
  /** Replaces the clone by the snapshot whole, or throws leaving the snapshot in place. */
  restore(snapshot: Snapshot): Promise<void>;
  discard(snapshot: Snapshot): Promise<void>;
  /**
   * Removes every snapshot of this clone a crashed or failed rehearsal left behind (except those
   * in `keep`, which a pending recovery still needs); returns what could not be removed.
   */
  cleanLeftovers(keep?: readonly string[]): Promise<{ readonly removed: string[]; readonly kept: string[] }>;
  /** A stable name of this clone, for the lane's durable record of it. */
  readonly identity: string;
}

/**
 * The limit of each of the lane's own statements (guard, digests, repairs): generous, since a
 * digest reads a large clone in batches, but finite and kept from outside the session, so that a
 * session a migration wedged (an idle timeout, a desynchronised encoding) ends the rehearsal as a
 * FAIL instead of holding it.
 */
export function laneOperationMs(statementTimeoutMs: number): number {
  return Math.max(statementTimeoutMs, 60_000);
}

async function removeAll(paths: readonly string[], remove: (path: string) => Promise<void>) {
  const removed: string[] = [];
  const kept: string[] = [];
  for (const path of paths) {
    try {
      await remove(path);
      removed.push(path);
    } catch {
      kept.push(path);
    }
  }
  return { removed, kept };
}

function pgliteBackend(dataDir: string, statementTimeoutMs: number): CloneBackend {
  return {
    engine: "pglite",
    // In a worker thread: PGlite cannot cancel a statement, and a migration that never ends must
    // not block the process (the gate beside the lane, the fuzzer's timers); see pglite-worker.ts.
    open: async () => {
      // PGlite runs initdb in a missing directory: a clone a restore left missing must never
      // come back as an empty cluster that a rehearsal could read as the clone.
      if (!existsSync(dataDir))
        throw new FailclosedError("CONFIG_INVALID", `the clone's data directory ${dataDir} does not exist`);
      return openPgliteWorker({
        dataDir,
        statementTimeoutMs,
        operationTimeoutMs: laneOperationMs(statementTimeoutMs),
      });
    },
    identity: `pglite:${dataDir}`,
    async cleanLeftovers(keep = []) {
      const parent = dirname(dataDir);
      const prefixes = [`${basename(dataDir)}.snapshot-`, `${basename(dataDir)}.applied-`];
      const names = await readdir(parent).catch(() => [] as string[]);
      const leftovers = names
        .filter((name) => prefixes.some((prefix) => name.startsWith(prefix)))
        .map((name) => join(parent, name))
        .filter((path) => !keep.includes(path));
      return removeAll(leftovers, (path) => rm(path, { recursive: true, force: true }));
    },
    async snapshot() {
      const id = `${dataDir}.snapshot-${randomBytes(6).toString("hex")}`;
      await copyDirectory(dataDir, id);
      return { id };
    },
    /**
     * Three steps, each of which a crash can interrupt; the lane's record stays "pending" (naming
     * the snapshot) until the restored clone is proven clean, so the recovery at the next start
     * runs this again from whichever state a crash left:
     *   1. rename the clone to `.applied-*`  (crash after: no clone directory; an `.applied-*`)
     *   2. copy the snapshot to the clone    (crash during: a partial clone directory)
     *   3. remove `.applied-*`               (crash during: a partial `.applied-*`)
     * A rerun moves whatever stands at the clone's path aside and copies the snapshot anew, and
     * start-up removes every `.applied-*` (and stray `.snapshot-*`) the record does not name.
     */
    async restore(snapshot) {
      // Move the applied clone aside first: if the swap fails half-way, nothing is lost and the
      // snapshot is still whole for an operator to restore by hand.
      const aside = `${dataDir}.applied-${randomBytes(6).toString("hex")}`;
      // A restore interrupted after this rename (a crash) left no clone: recovery copies anew.
      const present = await rename(dataDir, aside).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return false;
          throw error;
        },
      );
      try {
        await copyDirectory(snapshot.id, dataDir);
      } catch (error) {
        await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
        if (present) await rename(aside, dataDir).catch(() => undefined);
        throw error;
      }
      if (present) await rm(aside, { recursive: true, force: true });
    },
    discard: (snapshot) => rm(snapshot.id, { recursive: true, force: true }),
  };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The same server and credentials, connected to its maintenance database. */
function maintenanceUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = "/postgres";
  return parsed.toString();
}

/**
 * A migration may have changed the lane role's own defaults (ALTER ROLE … SET from a function:
 * read-only transactions, a tiny statement_timeout): the maintenance session sets its own before
 * it snapshots, restores or cleans up, so that such a change cannot stop the restore.
 */
const MAINTENANCE_SETTINGS = `SELECT pg_catalog.set_config('default_transaction_read_only', 'off', false),
  pg_catalog.set_config('statement_timeout', '0', false), pg_catalog.set_config('lock_timeout', '0', false),
  pg_catalog.set_config('idle_session_timeout', '0', false), pg_catalog.set_config('search_path', 'pg_catalog', false)`;

async function maintenanceClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: maintenanceUrl(url),
    connectionTimeoutMillis: 5_000,
    client_encoding: "UTF8",
  });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(MAINTENANCE_SETTINGS);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

async function onMaintenance(url: string, sql: string): Promise<void> {
  const client = await maintenanceClient(url);
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Snapshot names carry a tag of the clone they copy, so that the clean-up at start-up removes this
 * clone's leftovers and never another lane's snapshot on a shared server.
 */
function snapshotPrefix(clone: string): string {
  return `fcsnap_${createHash("sha256").update(clone).digest("hex").slice(0, 12)}_`;
}

async function maintenanceRows(url: string, sql: string, params: readonly string[]): Promise<string[]> {
  const client = await maintenanceClient(url);
  try {
    const result = await client.query(sql, [...params]);
    return result.rows.map((row: { name: string }) => row.name);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresBackend(url: string, statementTimeoutMs: number): CloneBackend {
  const identity = urlIdentity(url);
  const clone = identity.database;
  const prefix = snapshotPrefix(clone);
  return {
    engine: "postgres",
    open: () =>
      openDisposablePostgres(url, {
        scriptMs: statementTimeoutMs,
        operationMs: laneOperationMs(statementTimeoutMs),
      }),
    identity: `postgres:${new URL(url).hostname}:${identity.port ?? "5432"}/${clone}`,
    async cleanLeftovers(keep = []) {
      // Only snapshots of this clone that the lane's role owns: never anyone else's database.
      const names = await maintenanceRows(
        url,
        `SELECT d.datname AS name FROM pg_catalog.pg_database AS d
          WHERE pg_catalog.starts_with(d.datname::pg_catalog.text, $1)
            AND d.datdba = (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname = CURRENT_USER)`,
        [prefix],
      );
      return removeAll(
        names.filter((name) => !keep.includes(name)),
        (name) => onMaintenance(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
      );
    },
    async snapshot() {
      const id = `${prefix}${randomBytes(8).toString("hex")}`;
      await onMaintenance(url, `CREATE DATABASE ${quoteIdent(id)} TEMPLATE ${quoteIdent(clone)}`);
      return { id };
    },
    async restore(snapshot) {
      // A migration may have made the clone a template (which cannot be dropped) or closed it to
      // connections: its owner undoes both before the drop; the copy made next is new anyway.
      await onMaintenance(
        url,
        `ALTER DATABASE ${quoteIdent(clone)} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true CONNECTION LIMIT -1`,
      ).catch(() => undefined);
      // The snapshot is copied back rather than renamed, so it survives a failure at any step.
      await onMaintenance(url, `DROP DATABASE IF EXISTS ${quoteIdent(clone)} WITH (FORCE)`);
      await onMaintenance(url, `CREATE DATABASE ${quoteIdent(clone)} TEMPLATE ${quoteIdent(snapshot.id)}`);
    },
    discard: (snapshot) => onMaintenance(url, `DROP DATABASE IF EXISTS ${quoteIdent(snapshot.id)}`),
  };
}

export function cloneBackend(config: LaneConfig): CloneBackend {
  return config.clone.engine === "pglite"
    ? pgliteBackend(config.clone.dataDir, config.statementTimeoutMs)
    : postgresBackend(config.clone.url, config.statementTimeoutMs);
}
