import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Real-server tests read FAILCLOSED_TEST_DATABASE_URL (an admin connection, e.g.
 * postgres://postgres@127.0.0.1:5432/postgres). Without it they skip and say why.
 */
export const REAL_SERVER_URL = process.env.FAILCLOSED_TEST_DATABASE_URL;
export const REAL_SERVER_SKIP_REASON =
  "FAILCLOSED_TEST_DATABASE_URL is unset: real PostgreSQL tests skipped (PGlite tests still run)";

if (REAL_SERVER_URL === undefined || REAL_SERVER_URL === "") {
  // Visible once per test file that imports this module.
  console.warn(`[skip] ${REAL_SERVER_SKIP_REASON}`);
}

export function hasRealServer(): boolean {
  return REAL_SERVER_URL !== undefined && REAL_SERVER_URL !== "";
}

export function urlForDatabase(database: string, user?: string): string {
  const url = new URL(REAL_SERVER_URL ?? "");
  url.pathname = `/${database}`;
  if (user !== undefined) url.username = user;
  return url.toString();
}

export async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: REAL_SERVER_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A throwaway database (and nothing else) owned by this test; drop it with the returned function. */
export async function createScratchDatabase(
  prefix = "fc_test",
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  return {
    name,
    url: urlForDatabase(name),
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** A throwaway role; drop it with the returned function. */
export async function createScratchRole(
  options: { superuser?: boolean } = {},
): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `fc_role_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE ROLE "${name}" LOGIN ${options.superuser === true ? "SUPERUSER" : "NOSUPERUSER"}`);
  return { name, drop: async () => void (await adminQuery(`DROP ROLE IF EXISTS "${name}"`)) };
}
