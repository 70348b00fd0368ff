import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPostgres, makeMarker, writeMarker, digestDatabase } from "../../lane/index.js";
import type { KeyEntry } from "../../lane/index.js";
import { FailclosedError } from "../../kernel/errors.js";
import { CLONE_NAME, SEED_SQL } from "./reference-clone.js";

/**
 * The reference lane's clone on a real server (`failclosed run --database-url`): a scratch lane
 * role (LOGIN, NOSUPERUSER, CREATEDB, its own password) owning a seeded, marked clone, and a
 * production sentinel database the lane is told is production and that must never change (F3),
 * and an empty database for the gate's ledger, owned by the same role, so that the gate's nonces
 * and audit log live on the real server too and concurrent spends race on a real connection pool
 * (issue #15). All of it is made for one run and dropped after; nothing else on the server is
 * touched.
 */
export interface ServerClone {
  /** The lane's connection: the scratch role, the clone. */
  readonly cloneUrl: string;
  /** The gate's ledger: the scratch role, a database of its own (the gate creates the ledger). */
  readonly ledgerUrl: string;
  readonly sentinel: string;
  sentinelDigest(): Promise<string>;
  drop(): Promise<void>;
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

async function asAdmin(adminUrl: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ownedDatabases(adminUrl: string, role: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const result = await client.query<{ datname: string }>(
      "SELECT d.datname FROM pg_catalog.pg_database d JOIN pg_catalog.pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1",
      [role],
    );
    return result.rows.map((row) => row.datname);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function urlFor(adminUrl: string, database: string, user?: { name: string; password: string }): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  if (user !== undefined) {
    url.username = user.name;
    url.password = user.password;
  }
  return url.toString();
}

export async function createServerClone(
  adminUrl: string,
  operatorKey: KeyEntry,
  now: number,
  nameTag = "",
): Promise<ServerClone> {
  if (!/^[a-z0-9]{0,16}$/.test(nameTag))
    throw new FailclosedError("USAGE", "a server name tag is at most 16 lower-case letters or digits");
  const suffix = `${nameTag}${randomBytes(5).toString("hex")}`;
  const role = { name: `fc_lane_${suffix}`, password: randomBytes(18).toString("base64url") };
  const clone = `fc_clone_${suffix}`;
  const sentinel = `fc_production_${suffix}`;
  const ledger = `fc_ledger_${suffix}`;
  const drop = async (): Promise<void> => {
    // Every database the scratch role owns (a snapshot left by a failed restore too), then the role.
    const owned = await ownedDatabases(adminUrl, role.name).catch((): string[] => []);
    await asAdmin(adminUrl, [
      ...[...new Set([clone, ledger, ...owned])].map(
        (name) => `DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`,
      ),
      `DROP DATABASE IF EXISTS ${quote(sentinel)} WITH (FORCE)`,
    ]).catch(() => undefined);
    await asAdmin(adminUrl, [`DROP ROLE IF EXISTS ${quote(role.name)}`]).catch(() => undefined);
  };
  try {
    await asAdmin(adminUrl, [
      `CREATE ROLE ${quote(role.name)} LOGIN NOSUPERUSER CREATEDB PASSWORD '${role.password}'`,
      `CREATE DATABASE ${quote(clone)} OWNER ${quote(role.name)} TEMPLATE template0`,
      `CREATE DATABASE ${quote(sentinel)} TEMPLATE template0`,
      `CREATE DATABASE ${quote(ledger)} OWNER ${quote(role.name)} TEMPLATE template0`,
    ]);
    await asAdmin(urlFor(adminUrl, sentinel), [
      "CREATE TABLE ledger_of_record (id integer PRIMARY KEY, amount bigint NOT NULL)",
      "INSERT INTO ledger_of_record VALUES (1, 100), (2, 250), (3, 75)",
    ]);
    const cloneUrl = urlFor(adminUrl, clone, role);
    const db = await openPostgres(cloneUrl, { max: 1 });
    try {
      await db.exec(SEED_SQL);
      const marker = await makeMarker(operatorKey, CLONE_NAME, clone, now);
      await db.withSession((session) => writeMarker(session, marker));
    } finally {
      await db.close();
    }
    return {
      cloneUrl,
      ledgerUrl: urlFor(adminUrl, ledger, role),
      sentinel,
      async sentinelDigest() {
        const sentinelDb = await openPostgres(urlFor(adminUrl, sentinel), { max: 1 });
        try {
          const digest = await digestDatabase(sentinelDb);
          if (!digest.ok)
            throw new FailclosedError(
              "DATABASE_UNAVAILABLE",
              `cannot digest the sentinel: ${digest.error.kind}`,
            );
          return digest.value.digest;
        } finally {
          await sentinelDb.close();
        }
      },
      drop,
    };
  } catch (error) {
    await drop();
    if (error instanceof FailclosedError) throw error;
    // The server's own words (a missing role, a refused connection) are the user's to fix: a usage
    // error, never a bug report. pg's messages name roles and databases, never the password.
    const why = error instanceof Error ? error.message : String(error);
    throw new FailclosedError(
      "DATABASE_UNAVAILABLE",
      `cannot make the lane's clone on the --database-url server: ${why.split("\n")[0] ?? why}`,
    );
  }
}
