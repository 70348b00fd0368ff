import { mkdir, stat } from "node:fs/promises";
import pg from "pg";
import { openPgliteWorker } from "../../db/pglite-worker.js";
import { openPostgres } from "../../db/postgres.js";
import { copyDirectory } from "../../../kernel/copy-directory.js";
import { FailclosedError } from "../../../kernel/errors.js";
import type { KeyEntry } from "../../seal/keyring.js";
import { urlIdentity } from "../config.js";
import { makeMarker, writeMarker } from "../marker.js";

const CLONE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/;

export type CloneSource =
  | { readonly engine: "pglite"; readonly fromDir?: string; readonly toDir: string }
  | { readonly engine: "postgres"; readonly fromUrl: string };

export interface CreatedClone {
  /** The PGlite directory, or the database name on the server. */
  readonly location: string;
  readonly database: string;
  readonly marker: string;
}

async function absent(path: string): Promise<boolean> {
  return stat(path).then(
    () => false,
    () => true,
  );
}

/**
 * Makes a clone and writes its operator-sealed marker naming the clone's database (C1).
 * PGlite: a copy of a data directory (or a new, empty one). A real server:
 * CREATE DATABASE name TEMPLATE source, which needs CREATEDB and no other session on the source.
 */
export async function createClone(
  source: CloneSource,
  name: string,
  operatorKey: KeyEntry,
  now: number,
): Promise<CreatedClone> {
  if (!CLONE_NAME.test(name))
    throw new FailclosedError("USAGE", "a clone name is 1-63 of [A-Za-z0-9_-], not starting with -");
  if (source.engine === "pglite") {
    if (!(await absent(source.toDir)))
      throw new FailclosedError("FILE_EXISTS", `${source.toDir} exists; refusing to overwrite`);
    if (source.fromDir === undefined) await mkdir(source.toDir, { recursive: true, mode: 0o700 });
    else await copyDirectory(source.fromDir, source.toDir);
    // In a worker thread, as every embedded database: a new directory starts from the process's
    // empty cluster (pglite-worker.ts), and the worker's memory goes back when it ends.
    const db = await openPgliteWorker({ dataDir: source.toDir, statementTimeoutMs: 600_000 });
    try {
      const marker = await makeMarker(operatorKey, name, "postgres", now);
      await db.withSession((session) => writeMarker(session, marker));
      return { location: source.toDir, database: "postgres", marker };
    } finally {
      await db.close();
    }
  }
  const from = urlIdentity(source.fromUrl).database;
  const maintenance = new URL(source.fromUrl);
  maintenance.pathname = "/postgres";
  const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${from.replaceAll('"', '""')}"`);
  } catch (cause) {
    throw new FailclosedError(
      "DATABASE_UNAVAILABLE",
      `cannot create database ${name} from the source database`,
      { cause },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const target = new URL(source.fromUrl);
  target.pathname = `/${name}`;
  const db = await openPostgres(target.toString(), { max: 1 });
  try {
    const marker = await makeMarker(operatorKey, name, name, now);
    await db.withSession((session) => writeMarker(session, marker));
    return { location: name, database: name, marker };
  } finally {
    await db.close();
  }
}
