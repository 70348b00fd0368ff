/**
 * Fixtures for the rehearsal lane's tests: PGlite clones with an operator-sealed marker in a
 * temporary directory, lane configuration files, rehearsal-request bytes with the right sha256, a
 * lane on a fixed clock, digests of a clone taken from outside the lane, the evidence checks every
 * rehearsal must pass (C7, E1-E4), and, for a real server, a scratch clone database owned by a
 * scratch NOSUPERUSER CREATEDB role (so snapshot and restore work without a superuser), a scratch
 * "production sentinel" database, and the cleanup of all of it.
 *
 * Only the test keyring under corpora/keyrings/test is used, always in test mode.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "vitest";
import type { CloneMarker, EvidenceClaims, Mode, RehearsalRequest } from "../../src/lane/codec/documents.js";
import { timestampSeconds } from "../../src/lane/codec/formats.js";
import { openPglite } from "../../src/lane/db/pglite.js";
import { openPostgres } from "../../src/lane/db/postgres.js";
import type { SqlDatabase } from "../../src/lane/db/session.js";
import { verifyTree } from "../../src/lane/evidence/tree.js";
import { fixedClock } from "../../src/kernel/clock.js";
import { createClone } from "../../src/lane/rehearsal/clone/create.js";
import { loadLaneConfig, type LaneConfig } from "../../src/lane/rehearsal/config.js";
import { digestDatabase, type DatabaseDigest } from "../../src/lane/rehearsal/digest/digest.js";
import { openLane, type Lane, type LaneAnswer } from "../../src/lane/rehearsal/lane.js";
import { SHIPPED_LANE_COMPONENTS } from "../../src/lane/rehearsal/components.js";
import type { CloneBackend } from "../../src/lane/rehearsal/clone/backend.js";
import type { RunInput } from "../../src/lane/rehearsal/run-modes.js";
import { makeMarker, writeMarker } from "../../src/lane/rehearsal/marker.js";
import { loadKeyring, requireSigner, type KeyEntry, type Keyring } from "../../src/lane/seal/keyring.js";
import { verifySealedDocument } from "../../src/lane/seal/verify.js";
import { craftJws, headerJson, rawSigner } from "./keyrings.js";
import { adminQuery, urlForDatabase } from "./real-postgres.js";

// ---------------------------------------------------------------------------------------------
// Keys, time, requests
// ---------------------------------------------------------------------------------------------

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const TEST_KEYRING_DIR = join(REPO_ROOT, "corpora", "keyrings", "test");
export const REHEARSAL_PRIVATE = join(TEST_KEYRING_DIR, "rehearsal.private.jwks.json");
export const OPERATOR_PRIVATE = join(TEST_KEYRING_DIR, "operator.private.jwks.json");
export const OWNER_PRIVATE = join(TEST_KEYRING_DIR, "owner.private.jwks.json");
export const GATE_PRIVATE = join(TEST_KEYRING_DIR, "gate.private.jwks.json");
export const PUBLIC_KEYRING = join(TEST_KEYRING_DIR, "public.jwks.json");
/** What a lane holds: its own rehearsal key and the public keys (operator keys check markers). */
export const LANE_KEYRING = [REHEARSAL_PRIVATE, PUBLIC_KEYRING] as const;

export const PACKET_ID = "FIX7-P0-2026-06-12";
/** The lanes' fixed clock: evidence carries this time, so claims can be compared exactly. */
export const LANE_TIME = "2026-06-12T09:30:00Z";
export const LANE_SECONDS = timestampSeconds(LANE_TIME);

/** The "done means" migration: create a table, insert rows, add a column. */
export const CLEAN_MIGRATION = `CREATE TABLE rehearsed_orders (id bigint PRIMARY KEY, label text NOT NULL);
INSERT INTO rehearsed_orders (id, label) VALUES (1, 'first'), (2, 'second'), (3, 'third');
ALTER TABLE rehearsed_orders ADD COLUMN shipped boolean NOT NULL DEFAULT false;
`;

/**
 * CLEAN_MIGRATION, then a read that loads a text search dictionary into the backend: a PASS after
 * which PGlite's session is never kept (DISCARD ALL cannot unload code), so the clone is reopened.
 */
export const LOADS_CODE_MIGRATION = `${CLEAN_MIGRATION}SELECT pg_catalog.to_tsvector('english', 'loaded');\n`;

/**
 * What every clone starts from besides its marker: a table with rows and a sequence that has
 * already been used, so a migration can touch PRE-EXISTING state (setval, C3's sequence rule).
 */
export const CLONE_SETUP_SQL = `CREATE SEQUENCE ticket_seq START 100;
SELECT pg_catalog.nextval('ticket_seq');
CREATE TABLE accounts (id bigint PRIMARY KEY, label text NOT NULL);
INSERT INTO accounts (id, label) VALUES (1, 'alpha'), (2, 'beta');
`;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

let serial = 0;
/** A rehearsal_id unique within the process, so evidence directories are easy to tell apart. */
export function nextRehearsalId(prefix = "reh"): string {
  serial += 1;
  return `${prefix}-${process.pid}-${serial}`;
}

export function rehearsalRequest(
  migration: string,
  mode: Mode,
  overrides: Partial<Pick<RehearsalRequest, "rehearsal_id" | "artifact_sha256" | "packet_id">> = {},
): RehearsalRequest {
  return {
    kind: "rehearsal-request",
    v: 1,
    rehearsal_id: overrides.rehearsal_id ?? nextRehearsalId(),
    packet_id: overrides.packet_id ?? PACKET_ID,
    mode,
    migration,
    artifact_sha256: overrides.artifact_sha256 ?? sha256Hex(Buffer.from(migration, "utf8")),
  };
}

/** The bytes a well-behaved client sends: plain JSON, UTF-8. */
export function requestBytes(request: RehearsalRequest | object): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(request), "utf8"));
}

export async function operatorKey(): Promise<KeyEntry> {
  const keyring = await loadKeyring([OPERATOR_PRIVATE], { testMode: true });
  return requireSigner(keyring, "operator");
}

/** Only the public halves: what anyone checking evidence holds. */
export function publicKeyring(): Promise<Keyring> {
  return loadKeyring([PUBLIC_KEYRING], { testMode: true });
}

// ---------------------------------------------------------------------------------------------
// Markers
// ---------------------------------------------------------------------------------------------

export async function operatorMarker(clone: string, database: string): Promise<string> {
  return makeMarker(await operatorKey(), clone, database, LANE_SECONDS);
}

/**
 * A well-formed clone marker naming `database`, correctly signed, but by a key of another role
 * (the lane's own rehearsal key, or the owner's). sealDocument refuses to make one, so the JWS is
 * built byte for byte from the private JWK file.
 */
export async function markerSealedBy(
  privateFile: string,
  database: string,
  clone = "forged",
): Promise<string> {
  const set = JSON.parse(await readFile(privateFile, "utf8")) as { keys: Array<Record<string, string>> };
  const jwk = set.keys[0];
  if (jwk === undefined || jwk["kid"] === undefined) throw new Error(`${privateFile} holds no key`);
  const marker: CloneMarker = {
    kind: "clone-marker",
    v: 1,
    marker_id: `marker-${randomBytes(4).toString("hex")}`,
    clone,
    database,
    issued_at: LANE_TIME,
  };
  return craftJws(
    headerJson("EdDSA", jwk["kid"], "clone-marker+jws"),
    new Uint8Array(Buffer.from(JSON.stringify(marker), "utf8")),
    rawSigner(jwk),
  );
}

export async function replaceMarker(db: SqlDatabase, jws: string): Promise<void> {
  await db.withSession((session) => writeMarker(session, jws));
}

export async function readMarker(db: SqlDatabase): Promise<string> {
  const rows = await db.query("SELECT jws FROM failclosed_clone.marker WHERE id = 1");
  const jws = rows.rows[0]?.jws;
  if (typeof jws !== "string") throw new Error("the clone holds no marker");
  return jws;
}

export async function dropMarker(db: SqlDatabase): Promise<void> {
  await db.exec("DROP SCHEMA failclosed_clone CASCADE");
}

// ---------------------------------------------------------------------------------------------
// Digests
// ---------------------------------------------------------------------------------------------

export async function digestOf(db: SqlDatabase): Promise<DatabaseDigest> {
  const result = await digestDatabase(db);
  if (!result.ok) throw new Error(`digest failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

/** Opens a PGlite data directory, runs fn and closes it; nobody else may have it open. */
export async function withPglite<T>(dataDir: string, fn: (db: SqlDatabase) => Promise<T>): Promise<T> {
  const db = await openPglite(dataDir);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function digestPgliteDir(dataDir: string): Promise<DatabaseDigest> {
  return withPglite(dataDir, digestOf);
}

/** One short-lived connection: a real-server clone must have no session open during a snapshot. */
export async function withPostgres<T>(url: string, fn: (db: SqlDatabase) => Promise<T>): Promise<T> {
  const db = await openPostgres(url, { max: 1 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function digestUrl(url: string): Promise<DatabaseDigest> {
  return withPostgres(url, digestOf);
}

// ---------------------------------------------------------------------------------------------
// PGlite clones and lane configurations
// ---------------------------------------------------------------------------------------------

export async function tempRoot(prefix = "fc-lane-"): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A PGlite clone at `toDir` with a fresh operator marker (C1). From scratch it runs initdb (about
 * 4 s); from `fromDir` it copies a directory (under a second), so a file makes one template and
 * copies it. `setupSql` runs once, after the marker, as the clone's starting state.
 */
export async function makePgliteClone(
  toDir: string,
  options: { fromDir?: string; setupSql?: string; name?: string } = {},
): Promise<string> {
  const name = options.name ?? `clone-${randomBytes(3).toString("hex")}`;
  const source =
    options.fromDir === undefined
      ? ({ engine: "pglite", toDir } as const)
      : ({ engine: "pglite", fromDir: options.fromDir, toDir } as const);
  await createClone(source, name, await operatorKey(), LANE_SECONDS);
  if (options.setupSql !== undefined) {
    const sql = options.setupSql;
    await withPglite(toDir, (db) => db.exec(sql));
  }
  return toDir;
}

/** The lane configuration file's members (snake_case, as written on disk). */
export interface RawLaneConfig {
  clone: { engine: "pglite"; data_dir: string } | { engine: "postgres"; url: string };
  production: { databases: string[]; urls?: string[] };
  keyring: string[];
  evidence_dir: string;
  rehearsal_kid?: string;
  statement_timeout_ms?: number;
  compare_cluster?: boolean;
}

/** Writes the configuration as a file and loads it back the way the CLI does. */
export async function writeLaneConfig(
  path: string,
  raw: RawLaneConfig,
): Promise<{ path: string; config: LaneConfig }> {
  await writeFile(path, `${JSON.stringify(raw, null, 2)}\n`);
  return { path, config: loadLaneConfig(path) };
}

export function pgliteLaneConfig(
  dataDir: string,
  evidenceDir: string,
  extra: Partial<RawLaneConfig> = {},
): RawLaneConfig {
  return {
    clone: { engine: "pglite", data_dir: dataDir },
    production: { databases: ["production", "fix7_production"] },
    keyring: [...LANE_KEYRING],
    evidence_dir: evidenceDir,
    ...extra,
  };
}

export function openTestLane(config: LaneConfig): Promise<Lane> {
  return openLane(config, { testMode: true, clock: fixedClock(LANE_SECONDS) });
}

/** One rehearsal on a fresh lane, closed afterwards so the clone is free to be digested. */
export async function rehearseOnce(
  config: LaneConfig,
  request: RehearsalRequest | Uint8Array,
): Promise<LaneAnswer> {
  const lane = await openTestLane(config);
  try {
    return await lane.rehearse(request instanceof Uint8Array ? request : requestBytes(request));
  } finally {
    await lane.close();
  }
}

export async function listDir(dir: string): Promise<string[]> {
  return existsSync(dir) ? (await readdir(dir)).sort() : [];
}

// ---------------------------------------------------------------------------------------------
// Evidence (C7, E1-E4)
// ---------------------------------------------------------------------------------------------

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Every rehearsal of a well-formed request leaves an evidence directory whose tree id is the
 * result's evidence_tree, and beside it `<dir>.evidence.jws`, sealed by a rehearsal key, whose
 * claims are the result's. Only a PASS carries the JWS in the result document itself.
 */
export async function expectEvidence(
  answer: LaneAnswer,
  request: RehearsalRequest,
  keyring: Keyring,
): Promise<{ dir: string; jwsPath: string; jws: string; claims: EvidenceClaims }> {
  const { result } = answer;
  expect(JSON.parse(Buffer.from(answer.bytes).toString("utf8"))).toEqual(result);
  expect(result.rehearsal_id).toBe(request.rehearsal_id);
  const dir = answer.evidenceDir;
  if (dir === undefined) throw new Error(`no evidence directory for ${JSON.stringify(result)}`);
  const tree = result.evidence_tree ?? "";
  expect(tree).toMatch(HEX64);
  expect(await verifyTree(dir, tree)).toEqual({ ok: true, value: tree });

  const jwsPath = `${dir}.evidence.jws`;
  const file = await readFile(jwsPath, "utf8");
  expect(file.endsWith("\n")).toBe(true);
  const jws = file.slice(0, -1);
  const verified = await verifySealedDocument(keyring, "evidence", jws);
  if (!verified.ok) throw new Error(`evidence seal refused: ${verified.error.code}`);
  expect(verified.value.key.role).toBe("rehearsal");
  const claims = verified.value.payload;
  expect(claims).toEqual({
    kind: "evidence",
    v: 1,
    tree,
    rehearsal_id: request.rehearsal_id,
    packet_id: request.packet_id,
    artifact_sha256: sha256Hex(Buffer.from(request.migration, "utf8")),
    mode: request.mode,
    verdict: result.verdict,
    reasons: result.reasons,
    before: result.before,
    after_apply: result.after_apply,
    after_rollback: result.after_rollback,
    scope: "clone",
    sealed_at: LANE_TIME,
  });
  if (result.verdict === "PASS") expect(result.evidence).toBe(jws);
  else expect(Object.hasOwn(result, "evidence")).toBe(false);

  // E1: the result, the migration's exact bytes and one digest file per digest taken.
  const { tree: _tree, ...claimsWithoutTree } = claims;
  expect(JSON.parse(await readFile(join(dir, "result.json"), "utf8"))).toEqual(claimsWithoutTree);
  expect(await readFile(join(dir, "migration.sql"))).toEqual(Buffer.from(request.migration, "utf8"));
  const taken = (["after_apply", "after_rollback", "before"] as const).filter((k) => result[k] !== null);
  expect(await listDir(dir)).toEqual(
    taken.length > 0 ? ["digests", "migration.sql", "result.json"] : ["migration.sql", "result.json"],
  );
  expect(await listDir(join(dir, "digests"))).toEqual(taken.map((k) => `${k}.json`));
  for (const k of taken) {
    const digest = JSON.parse(await readFile(join(dir, "digests", `${k}.json`), "utf8")) as {
      digest: string;
    };
    expect(digest.digest).toBe(result[k]);
  }
  return { dir, jwsPath, jws, claims };
}

// ---------------------------------------------------------------------------------------------
// The built CLI
// ---------------------------------------------------------------------------------------------

const run = promisify(execFile);
export const CLI = join(REPO_ROOT, "dist", "src", "cli", "main.js");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI (`npm run build` first) with a bare environment; never throws on exit != 0. */
export async function cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `failclosed rehearse`'s arguments, as the tests run it (test mode unless told otherwise). */
export function rehearseArgs(
  config: string,
  migration: string,
  mode: string,
  packetId: string,
  options: { readonly testMode?: boolean; readonly extra?: readonly string[] } = {},
): string[] {
  return [
    "rehearse",
    ...(options.testMode === false ? [] : ["--test-mode"]),
    ...["--config", config, "--migration", migration, "--mode", mode, "--packet-id", packetId],
    ...(options.extra ?? []),
  ];
}

/** E4 and E3 through the CLI: `tree --verify` and `verify --typ evidence+jws` both accept. */
export async function expectCliVerifies(dir: string, tree: string, jwsPath: string): Promise<EvidenceClaims> {
  const treeCheck = await cli(["tree", "--verify", tree, dir]);
  expect(treeCheck).toEqual({ code: 0, stdout: "", stderr: `ok: ${tree}\n` });
  const sealCheck = await cli([
    "verify",
    "--test-mode",
    "--keyring",
    PUBLIC_KEYRING,
    "--typ",
    "evidence+jws",
    jwsPath,
  ]);
  expect(sealCheck.code).toBe(0);
  expect(sealCheck.stderr).toMatch(/^valid: evidence\+jws sealed by rehearsal-[0-9a-f]+ \(rehearsal\)\n$/);
  return JSON.parse(sealCheck.stdout) as EvidenceClaims;
}

// ---------------------------------------------------------------------------------------------
// A real server
// ---------------------------------------------------------------------------------------------

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A scratch login role for the lane: NOSUPERUSER (C1 refuses a superuser) with CREATEDB, and the
 * owner of its clones, which is what CREATE DATABASE … TEMPLATE <clone> (the snapshot) and DROP
 * DATABASE <clone> (the restore) need. `drop` removes every database it still owns, then the role.
 */
export async function createLaneRole(
  prefix = "fc_lane",
): Promise<{ name: string; urlFor: (database: string) => string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await adminQuery(`CREATE ROLE ${quoteIdent(name)} LOGIN NOSUPERUSER NOCREATEROLE CREATEDB`);
  return {
    name,
    urlFor: (database) => urlForDatabase(database, name),
    drop: async () => {
      const owned = await adminQuery(
        `SELECT d.datname FROM pg_catalog.pg_database d JOIN pg_catalog.pg_roles r ON r.oid = d.datdba
          WHERE r.rolname = '${name}'`,
      );
      for (const row of owned.rows as Array<{ datname: string }>) {
        await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(row.datname)} WITH (FORCE)`);
      }
      await adminQuery(`DROP ROLE IF EXISTS ${quoteIdent(name)}`);
    },
  };
}

/**
 * A clone database made the way an operator makes one (`clone create --from URL`): CREATE DATABASE
 * … TEMPLATE template0 as the lane role, so the role owns it, then the operator marker naming it.
 * template0 because nobody can be connected to it, unlike template1 on a shared server.
 */
export async function createRealClone(
  role: { name: string; urlFor: (database: string) => string },
  options: { setupSql?: string; marker?: boolean; prefix?: string } = {},
): Promise<{ name: string; url: string }> {
  const name = `${options.prefix ?? "fc_clone"}_${randomBytes(5).toString("hex")}`;
  if (options.marker === false) {
    await adminQuery(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(role.name)} TEMPLATE template0`);
  } else {
    await createClone(
      { engine: "postgres", fromUrl: role.urlFor("template0") },
      name,
      await operatorKey(),
      LANE_SECONDS,
    );
  }
  const url = role.urlFor(name);
  if (options.setupSql !== undefined) {
    const sql = options.setupSql;
    await withPostgres(url, (db) => db.exec(sql));
  }
  return { name, url };
}

/**
 * A database that stands for production on the same server: owned by the admin, with rows. Its
 * digest (read as the admin) must never change while the lane works next door (F3).
 */
export async function createSentinel(): Promise<{
  name: string;
  url: string;
  digest: () => Promise<string>;
  drop: () => Promise<void>;
}> {
  const name = `fc_sentinel_${randomBytes(5).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = urlForDatabase(name);
  await withPostgres(url, (db) =>
    db.exec(`CREATE SEQUENCE ledger_seq;
CREATE TABLE ledger (id bigint PRIMARY KEY DEFAULT pg_catalog.nextval('ledger_seq'), amount numeric NOT NULL, note text);
INSERT INTO ledger (amount, note) VALUES (10.50, 'opening'), (-3.25, 'fee'), (100, 'deposit');
CREATE TABLE accounts (id bigint PRIMARY KEY, label text NOT NULL);
INSERT INTO accounts (id, label) VALUES (1, 'production alpha');`),
  );
  return {
    name,
    url,
    digest: async () => (await digestUrl(url)).digest,
    drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)),
  };
}

export function realLaneConfig(
  url: string,
  evidenceDir: string,
  extra: Partial<RawLaneConfig> = {},
): RawLaneConfig {
  return {
    clone: { engine: "postgres", url },
    production: { databases: ["production", "fix7_production"] },
    keyring: [...LANE_KEYRING],
    evidence_dir: evidenceDir,
    // A shared CI server: other tests create databases and roles while these run.
    compare_cluster: false,
    ...extra,
  };
}

/** A run mode's input as the lane gives it, with the shipped digest and take-back and no hooks. */
export function shippedRunInput(backend: CloneBackend, migration: string): RunInput {
  return {
    backend,
    migration,
    statementTimeoutMs: 5_000,
    compareCluster: true,
    digest: SHIPPED_LANE_COMPONENTS.digest,
    takeBack: SHIPPED_LANE_COMPONENTS.takeBack,
    beforeApply: () => Promise.resolve(),
    checkBefore: () => Promise.resolve(),
  };
}
