/**
 * Issue #13: gates started at the same moment on an empty PostgreSQL database, unpinned, must
 * agree on one ledger and exactly one of them may announce that it created it. Before the fix
 * each gate saw the database empty, the second insert of the identity row did nothing, and both
 * said "created" (with the same id), so an operator could not tell which start made the ledger.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/lane/db/open.js";
import type { SqlDatabase } from "../../../src/lane/db/session.js";
import { identifyLedger } from "../../../src/lane/gate/ledger/identity.js";
import {
  CliChild,
  keyringFlags,
  makeTestKeys,
  requireBuiltCli,
  writeKeyFiles,
} from "../../support/gate-fixtures.js";
import {
  createScratchDatabase,
  hasRealServer,
  REAL_SERVER_SKIP_REASON,
} from "../../support/real-postgres.js";

const ROUNDS = 6;
const GATES = 4;

const opened: SqlDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close().catch(() => undefined);
});

describe.skipIf(!hasRealServer())(
  `ledger creation is atomic${hasRealServer() ? "" : ` (skipped: ${REAL_SERVER_SKIP_REASON})`}`,
  () => {
    it(`${GATES} concurrent opens on a fresh database, ${ROUNDS} rounds: one "created", the rest "existing", one id`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const scratch = await createScratchDatabase("fc_ledger_race");
        try {
          // Connected first, so that the identifications start as close together as possible.
          const dbs = await Promise.all(
            Array.from({ length: GATES }, () => openDatabase({ engine: "postgres", url: scratch.url })),
          );
          opened.push(...dbs);
          const made = await Promise.all(dbs.map((db) => identifyLedger(db)));
          const origins = made.map((m) => m.origin).sort();
          expect(origins).toStrictEqual(["created", ...Array<string>(GATES - 1).fill("existing")]);
          expect(new Set(made.map((m) => m.ledgerId)).size).toBe(1);
          expect(new Set(made.map((m) => m.createdAt)).size).toBe(1);
          // Must stay quiet: a later start on the same database finds it, and creates nothing.
          expect((await identifyLedger(dbs[0] as SqlDatabase)).origin).toBe("existing");
        } finally {
          for (const db of opened.splice(0)) await db.close().catch(() => undefined);
          await scratch.drop();
        }
      }
    }, 240_000);

    it("three unpinned serve processes started together on a fresh database: one NOTICE of a new ledger", async () => {
      requireBuiltCli();
      const keys = await makeTestKeys();
      const files = await writeKeyFiles(keys);
      for (let round = 0; round < 2; round++) {
        const scratch = await createScratchDatabase("fc_ledger_race_cli");
        const servers = Array.from(
          { length: 3 },
          () =>
            new CliChild([
              "serve",
              "--port",
              "0",
              "--database-url",
              scratch.url,
              ...keyringFlags(files.paths),
            ]),
        );
        try {
          // Each prints its address once its ledger is open. Its NOTICE goes to stderr, another
          // pipe, which may not have arrived yet: the servers are stopped and their stderr read whole.
          await Promise.all(servers.map((server) => server.channel.nextLine(120_000)));
          await Promise.all(servers.map((server) => server.stop("SIGTERM")));
          await Promise.all(servers.map((server) => server.stderrEnded));
          const notices = servers.filter((server) =>
            server.stderr.includes("created a NEW, EMPTY gate ledger"),
          );
          expect(notices).toHaveLength(1);
          for (const server of servers) expect(server.stderr).not.toContain("Error");
        } finally {
          for (const server of servers) await server.stop("SIGTERM").catch(() => undefined);
          await scratch.drop();
        }
      }
      await files.remove();
    }, 300_000);
  },
);
