import { randomBytes } from "node:crypto";
import { cp, rename, rm } from "node:fs/promises";
import pg from "pg";
import { openPgliteWorker } from "../../db/pglite-worker.js";
import { openPostgres } from "../../db/postgres.js";
import type { SqlDatabase } from "../../db/session.js";
import type { LaneConfig } from "../config.js";
import { urlIdentity } from "../config.js";

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
}

function pgliteBackend(dataDir: string, statementTimeoutMs: number): CloneBackend {
  return {
    engine: "pglite",
    // In a worker thread: PGlite cannot cancel a statement, and a migration that never ends must
    // not block the process (the gate beside the lane, the fuzzer's timers); see pglite-worker.ts.
    open: () => openPgliteWorker({ dataDir, statementTimeoutMs }),
    async snapshot() {
      const id = `${dataDir}.snapshot-${randomBytes(6).toString("hex")}`;
      await cp(dataDir, id, { recursive: true, errorOnExist: true, force: false });
      return { id };
    },
    async restore(snapshot) {
      // Move the applied clone aside first: if the swap fails half-way, nothing is lost and the
      // snapshot is still whole for an operator to restore by hand.
      const aside = `${dataDir}.applied-${randomBytes(6).toString("hex")}`;
      await rename(dataDir, aside);
      try {
        await cp(snapshot.id, dataDir, { recursive: true, errorOnExist: true, force: false });
      } catch (error) {
        await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
        await rename(aside, dataDir).catch(() => undefined);
        throw error;
      }
      await rm(aside, { recursive: true, force: true });
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

async function onMaintenance(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl(url), connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresBackend(url: string): CloneBackend {
  const clone = urlIdentity(url).database;
  return {
    engine: "postgres",
    open: () => openPostgres(url, { max: 4 }),
    async snapshot() {
      const id = `fcsnap_${randomBytes(8).toString("hex")}`;
      await onMaintenance(url, `CREATE DATABASE ${quoteIdent(id)} TEMPLATE ${quoteIdent(clone)}`);
      return { id };
    },
    async restore(snapshot) {
      // The snapshot is copied back rather than renamed, so it survives a failure at any step.
      await onMaintenance(url, `DROP DATABASE ${quoteIdent(clone)} WITH (FORCE)`);
      await onMaintenance(url, `CREATE DATABASE ${quoteIdent(clone)} TEMPLATE ${quoteIdent(snapshot.id)}`);
    },
    discard: (snapshot) => onMaintenance(url, `DROP DATABASE IF EXISTS ${quoteIdent(snapshot.id)}`),
  };
}

export function cloneBackend(config: LaneConfig): CloneBackend {
  return config.clone.engine === "pglite"
    ? pgliteBackend(config.clone.dataDir, config.statementTimeoutMs)
    : postgresBackend(config.clone.url);
}
