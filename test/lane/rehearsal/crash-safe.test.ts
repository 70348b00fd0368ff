/**
 * Crash-safe rehearsal (crash-suite.ts) on PGlite clones, and on a real server when
 * FAILCLOSED_TEST_DATABASE_URL names one (scratch lane role and clones, dropped afterwards).
 */
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { cloneBackend } from "../../../src/lane/rehearsal/clone/backend.js";
import { journalPath } from "../../../src/lane/rehearsal/journal.js";
import {
  CLONE_SETUP_SQL,
  createLaneRole,
  createRealClone,
  digestPgliteDir,
  digestUrl,
  makePgliteClone,
  operatorMarker,
  pgliteLaneConfig,
  realLaneConfig,
  replaceMarker,
  tempRoot,
  withPglite,
  withPostgres,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";
import { adminQuery, hasRealServer, REAL_SERVER_SKIP_REASON } from "../../support/real-postgres.js";
import { crashSuite } from "./crash-suite.js";

let root: Awaited<ReturnType<typeof tempRoot>>;
beforeAll(async () => {
  root = await tempRoot("fc-lane-crash-");
});
afterAll(async () => {
  await root?.remove();
});

describe("on PGlite", () => {
  let template: string;
  beforeAll(async () => {
    template = await makePgliteClone(join(root.dir, "template"), {
      setupSql: CLONE_SETUP_SQL,
      name: "template",
    });
  });
  crashSuite(
    async (name) => {
      const dir = await makePgliteClone(join(root.dir, name), { fromDir: template, name });
      const { path, config } = await writeLaneConfig(
        join(root.dir, `${name}.lane.json`),
        pgliteLaneConfig(dir, join(root.dir, `${name}-evidence`)),
      );
      return {
        config,
        configPath: path,
        journal: journalPath(config, cloneBackend(config).identity),
        digest: () => digestPgliteDir(dir),
        tamper: (sql) => withPglite(dir, (db) => db.exec(sql)),
        reseal: async () =>
          withPglite(dir, async (db) => replaceMarker(db, await operatorMarker(name, "postgres"))),
        leftovers: async () =>
          (await readdir(dirname(dir))).filter(
            (n) => n.startsWith(`${basename(dir)}.snapshot-`) || n.startsWith(`${basename(dir)}.applied-`),
          ),
      };
    },
    () => root.dir,
  );
});

const realTitle = hasRealServer()
  ? "on a real server"
  : `on a real server (skipped: ${REAL_SERVER_SKIP_REASON})`;
describe.skipIf(!hasRealServer())(realTitle, () => {
  let role: Awaited<ReturnType<typeof createLaneRole>>;
  beforeAll(async () => {
    role = await createLaneRole();
  });
  afterAll(async () => {
    await role?.drop();
  });
  crashSuite(
    async (name) => {
      const clone = await createRealClone(role, { setupSql: CLONE_SETUP_SQL });
      const { path, config } = await writeLaneConfig(
        join(root.dir, `${name}.lane.json`),
        realLaneConfig(clone.url, join(root.dir, `${name}-evidence`)),
      );
      return {
        config,
        configPath: path,
        journal: journalPath(config, cloneBackend(config).identity),
        digest: () => digestUrl(clone.url),
        tamper: (sql) => withPostgres(clone.url, (db) => db.exec(sql)),
        reseal: async () =>
          withPostgres(clone.url, async (db) =>
            replaceMarker(db, await operatorMarker(clone.name, clone.name)),
          ),
        leftovers: async () => {
          const rows = await adminQuery(
            `SELECT d.datname FROM pg_catalog.pg_database d JOIN pg_catalog.pg_roles r ON r.oid = d.datdba
              WHERE r.rolname = '${role.name}' AND d.datname LIKE 'fcsnap%'`,
          );
          return rows.rows.map((r: { datname: string }) => r.datname);
        },
      };
    },
    () => root.dir,
  );
});
