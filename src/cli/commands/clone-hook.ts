/**
 * `failclosed clone hook --lane-config C`: failclosed's clone hook protocol (docs/operating.md,
 * "P07 on your own lane: the clone hook") for the reference lane configured in C, served with
 * `serve --lane-reload`. It changes what an operator would change on a real lane, in place: the
 * marker row in the clone, and the production identities in C. Before its first change it keeps
 * the clean marker and C's exact bytes in C.clone-hook-clean.json (0600); restore puts both back
 * and removes that file, so a restore after a crash, or twice, still ends on the clean clone.
 */
import { existsSync } from "node:fs";
import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { FailclosedError } from "../../kernel/errors.js";
import { lockDirectory, type DirectoryLock } from "../../lane/db/directory-lock.js";
import { openDatabase } from "../../lane/db/open.js";
import { rehearsalLockOf } from "../../lane/server/reloading-lane.js";
import type { SqlDatabase, SqlSession } from "../../lane/db/session.js";
import { loadLaneConfig, urlIdentity, type LaneConfig } from "../../lane/rehearsal/config.js";
import { writeMarker } from "../../lane/rehearsal/marker.js";

const MAX_REQUEST_BYTES = 1024 * 1024;

type Request =
  | { readonly op: "describe" }
  | { readonly op: "prepare"; readonly marker: string | null; readonly production: readonly string[] }
  | { readonly op: "restore" };

interface CleanState {
  readonly v: 1;
  readonly config_b64: string;
  readonly marker: string | null;
}

function bad(message: string): FailclosedError {
  return new FailclosedError("DOCUMENT_INVALID", `clone hook request: ${message}`);
}

function exactMarker(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "string") throw bad('"marker_b64" is neither a string nor null');
  const text = Buffer.from(value, "base64").toString("utf8");
  // Exactly the bytes failclosed gave: base64 that does not round-trip is refused, not guessed at.
  if (Buffer.from(text, "utf8").toString("base64") !== value)
    throw bad('"marker_b64" is not exact base64 of UTF-8');
  return text;
}

export function parseHookRequest(bytes: Uint8Array): Request {
  if (bytes.length > MAX_REQUEST_BYTES) throw bad("longer than 1 MiB");
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw bad("not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("not an object");
  const o = value as Record<string, unknown>;
  if (o["v"] !== 1) throw bad('not protocol version 1 ("v":1)');
  switch (o["op"]) {
    case "describe":
    case "restore":
      return { op: o["op"] };
    case "prepare": {
      const production = o["production_databases"];
      if (!Array.isArray(production) || !production.every((d): d is string => typeof d === "string"))
        throw bad('"production_databases" is not a list of names');
      return { op: "prepare", marker: exactMarker(o["marker_b64"]), production };
    }
    default:
      throw bad('"op" is not describe, prepare or restore');
  }
}

/**
 * The clone, opened as the hook's writer: PGlite's directory, or on a real server the admin
 * connection in FAILCLOSED_CLONE_ADMIN_URL (never a flag: it holds a password), which must name
 * the very database the lane's configuration does.
 */
async function openClone(
  config: LaneConfig,
  env: Readonly<Record<string, string | undefined>>,
): Promise<SqlDatabase> {
  if (config.clone.engine === "pglite")
    return openDatabase({ engine: "pglite", dataDir: config.clone.dataDir });
  const admin = env["FAILCLOSED_CLONE_ADMIN_URL"] ?? config.clone.url;
  if (urlIdentity(admin).database !== urlIdentity(config.clone.url).database)
    throw new FailclosedError(
      "CONFIG_INVALID",
      "FAILCLOSED_CLONE_ADMIN_URL names another database than the lane's clone",
    );
  return openDatabase({ engine: "postgres", url: admin });
}

async function currentMarker(session: SqlSession): Promise<string | null> {
  const table = await session.query(
    "SELECT pg_catalog.to_regclass('failclosed_clone.marker') IS NOT NULL AS present",
  );
  if (table.rows[0]?.present !== true) return null;
  const rows = await session.query("SELECT jws FROM failclosed_clone.marker WHERE id = 1");
  const jws = rows.rows[0]?.jws;
  return typeof jws === "string" ? jws : null;
}

async function installMarker(session: SqlSession, marker: string | null): Promise<void> {
  if (marker === null) await session.exec("DROP SCHEMA IF EXISTS failclosed_clone CASCADE");
  else await writeMarker(session, marker);
}

/** Replaces a file whole (write beside it, then rename): the lane never reads half of it. */
async function replaceFile(path: string, bytes: Uint8Array | string, mode: number): Promise<void> {
  const temporary = `${path}.clone-hook-tmp`;
  await writeFile(temporary, bytes, { mode });
  await rename(temporary, path);
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** The clean configuration with more production databases (C1's configured identities). */
function withProduction(clean: Buffer, extra: readonly string[]): string {
  const config = JSON.parse(clean.toString("utf8")) as { production: { databases: string[] } };
  config.production.databases = [...new Set([...config.production.databases, ...extra])];
  return `${JSON.stringify(config, null, 2)}\n`;
}

async function readClean(path: string): Promise<CleanState | undefined> {
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(await readFile(path, "utf8")) as CleanState;
  if (state.v !== 1 || typeof state.config_b64 !== "string")
    throw new FailclosedError(
      "CONFIG_INVALID",
      `${path} is not a clone hook's clean state; remove it by hand`,
    );
  return state;
}

/** How long the hook waits for a rehearsal in progress (one the fuzzer gave up on) to end. */
const REHEARSAL_WAIT_MS = 100_000;

/** The lane's rehearsal lock (serve --lane-reload): taken, waiting while a rehearsal runs. */
async function waitForRehearsals(configPath: string): Promise<DirectoryLock> {
  const until = Date.now() + REHEARSAL_WAIT_MS;
  for (;;) {
    try {
      return await lockDirectory(rehearsalLockOf(configPath));
    } catch (error) {
      const busy = error instanceof FailclosedError && error.code === "LEDGER_LOCKED";
      if (!busy || Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Answers one request; the answer is the protocol's JSON line. */
export async function answerHookRequest(
  configPath: string,
  request: Request,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const lock = await waitForRehearsals(configPath);
  try {
    return await answerUnderLock(configPath, request, env);
  } finally {
    await lock.release();
  }
}

async function answerUnderLock(
  configPath: string,
  request: Request,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const statePath = `${configPath}.clone-hook-clean.json`;
  const saved = await readClean(statePath);
  // The clone is the clean configuration's, whatever a prepare left in the file.
  const config = loadLaneConfig(configPath);
  const db = await openClone(config, env);
  try {
    return await db.withSession(async (session) => {
      switch (request.op) {
        case "describe": {
          const row = (await session.query("SELECT pg_catalog.current_database() AS database")).rows[0];
          return JSON.stringify({ v: 1, ok: true, database: String(row?.database) });
        }
        case "prepare": {
          const clean: CleanState = saved ?? {
            v: 1,
            config_b64: (await readFile(configPath)).toString("base64"),
            marker: await currentMarker(session),
          };
          if (saved === undefined) await replaceFile(statePath, JSON.stringify(clean), 0o600);
          const cleanConfig = Buffer.from(clean.config_b64, "base64");
          await installMarker(session, request.marker);
          await replaceFile(
            configPath,
            request.production.length === 0 ? cleanConfig : withProduction(cleanConfig, request.production),
            await modeOf(configPath),
          );
          return JSON.stringify({ v: 1, ok: true });
        }
        case "restore": {
          if (saved !== undefined) {
            await replaceFile(configPath, Buffer.from(saved.config_b64, "base64"), await modeOf(configPath));
            await installMarker(session, saved.marker);
            await rm(statePath, { force: true });
          }
          return JSON.stringify({ v: 1, ok: true });
        }
      }
    });
  } finally {
    await db.close();
  }
}
