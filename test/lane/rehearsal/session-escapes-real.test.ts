/**
 * The session-escape suite (session-suite.ts) on a real PostgreSQL server: each describe block gets
 * a clone of its own, owned by a scratch NOSUPERUSER CREATEDB lane role, all dropped afterwards.
 * compare_cluster is off (other test files create databases and roles on this server meanwhile).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { loadKeyring, type Keyring } from "../../../src/lane/seal/keyring.js";
import {
  CLONE_SETUP_SQL,
  createLaneRole,
  createRealClone,
  digestUrl,
  LANE_KEYRING,
  realLaneConfig,
  tempRoot,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";
import { hasRealServer, REAL_SERVER_SKIP_REASON } from "../../support/real-postgres.js";
import { NON_ASCII_ROWS } from "./escape-cases.js";
import { sessionSuite } from "./session-suite.js";

const title = hasRealServer()
  ? "session escapes on a real PostgreSQL server"
  : `session escapes on a real PostgreSQL server (skipped: ${REAL_SERVER_SKIP_REASON})`;

describe.skipIf(!hasRealServer())(title, () => {
  let root: Awaited<ReturnType<typeof tempRoot>>;
  let role: Awaited<ReturnType<typeof createLaneRole>>;
  let keyring: Keyring;

  beforeAll(async () => {
    root = await tempRoot("fc-lane-escapes-real-");
    role = await createLaneRole();
    keyring = await loadKeyring([...LANE_KEYRING], { testMode: true });
  });

  afterAll(async () => {
    await role?.drop();
    await root?.remove();
  });

  sessionSuite({
    engine: "postgres",
    keyring: () => keyring,
    snapshotMayPass: new Set([
      // A sequence moved and put back by the restore: a real change, undone.
      "pg-temp-shadow-with-sequence",
      "xid-check-shadow-with-real-change",
    ]),
    async clone(name) {
      const clone = await createRealClone(role, { setupSql: `${CLONE_SETUP_SQL}${NON_ASCII_ROWS}` });
      const { config } = await writeLaneConfig(
        join(root.dir, `${name}.lane.json`),
        realLaneConfig(clone.url, join(root.dir, `${name}-evidence`), { statement_timeout_ms: 2_000 }),
      );
      return { config, digest: () => digestUrl(clone.url) };
    },
  });
});
