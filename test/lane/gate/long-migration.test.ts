/**
 * A real migration is longer than 4 KB (issue #14, R4's exception): a clean 500 KB migration
 * rehearsed end to end on a PGlite clone through the built CLI (`failclosed rehearse`, both
 * modes; and on a real PostgreSQL clone when FAILCLOSED_TEST_DATABASE_URL names a server), over HTTP (`serve --lane-config`, T2) and over JSON lines (`serve --stdio`, T3); each
 * PASSes. Above the limits: the CLI refuses a migration over 1 MiB before it runs anything, and
 * HTTP answers 413 only above 1 MiB + 64 KiB.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_MIGRATION_BYTES, MAX_REHEARSAL_REQUEST_BYTES } from "../../../src/lane/codec/limits.js";
import { CliChild, envelope, requireBuiltCli } from "../../support/gate-fixtures.js";
import { hasRealServer, REAL_SERVER_SKIP_REASON } from "../../support/real-postgres.js";
import {
  cli,
  createLaneRole,
  createRealClone,
  realLaneConfig,
  GATE_PRIVATE,
  OPERATOR_PRIVATE,
  PACKET_ID,
  PUBLIC_KEYRING,
  pgliteLaneConfig,
  rehearsalRequest,
  requestBytes,
  tempRoot,
  rehearseArgs,
} from "../../support/lane-fixtures.js";

/** About `bytes` of ordinary DDL and DML: one table, then rows in statements of 200 each. */
function longMigration(bytes: number): string {
  const statements = ["CREATE TABLE long_orders (id bigint PRIMARY KEY, label text NOT NULL);\n"];
  let size = statements[0]?.length ?? 0;
  let id = 0;
  while (size < bytes) {
    const rows: string[] = [];
    for (let i = 0; i < 200; i++) {
      id++;
      rows.push(`(${id}, 'order ${String(id).padStart(8, "0")} shipped to the north-east warehouse')`);
    }
    const statement = `INSERT INTO long_orders (id, label) VALUES\n  ${rows.join(",\n  ")};\n`;
    statements.push(statement);
    size += statement.length;
  }
  return statements.join("");
}

const MIGRATION = longMigration(500_000);
const JSON_HEADERS = { "content-type": "application/json" } as const;

let root: Awaited<ReturnType<typeof tempRoot>>;
let configPath: string;

beforeAll(async () => {
  requireBuiltCli();
  root = await tempRoot("fc-long-migration-");
  const created = await cli([
    "clone",
    "create",
    "--test-mode",
    "--from",
    "empty",
    "--as",
    "clone1",
    "--into",
    root.dir,
    "--keyring",
    OPERATOR_PRIVATE,
  ]);
  expect(created.code).toBe(0);
  configPath = join(root.dir, "lane.json");
  await writeFile(configPath, JSON.stringify(pgliteLaneConfig("clone1", "evidence")));
}, 180_000);

afterAll(async () => {
  await root?.remove();
});

describe("a 500 KB migration end to end on PGlite", () => {
  it("is well over R4's ordinary 4,096 characters and well under its 1 MiB exception", () => {
    expect(MIGRATION.length).toBeGreaterThan(500_000);
    expect(Buffer.byteLength(MIGRATION)).toBeLessThan(MAX_MIGRATION_BYTES);
  });

  for (const mode of ["transactional", "snapshot_restore"] as const) {
    it(`PASSes through failclosed rehearse (${mode})`, async () => {
      const file = join(root.dir, `long-${mode}.sql`);
      await writeFile(file, MIGRATION);
      const result = await cli(rehearseArgs(configPath, file, mode, PACKET_ID));
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/^PASS\nevidence tree [0-9a-f]{64}\n/);
      expect(result.code).toBe(0);
    }, 300_000);
  }

  it("the CLI refuses a migration over 1 MiB before running anything (exit 2)", async () => {
    const file = join(root.dir, "too-long.sql");
    await writeFile(file, `${"-- x\n".repeat(MAX_MIGRATION_BYTES / 5)}SELECT 1;\n`);
    const result = await cli(rehearseArgs(configPath, file, "transactional", PACKET_ID));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("failclosed: DOCUMENT_INVALID: ");
    expect(result.stderr).toContain("at most 1048576 (1 MiB, SPEC R4)");
  }, 120_000);

  it("PASSes over HTTP (T2); only a body over 1 MiB + 64 KiB is 413", async () => {
    const server = new CliChild([
      "serve",
      "--ephemeral",
      "--port",
      "0",
      "--test-mode",
      "--keyring",
      GATE_PRIVATE,
      "--keyring",
      PUBLIC_KEYRING,
      "--lane-config",
      configPath,
    ]);
    try {
      const url = await server.channel.nextLine(120_000);
      const body = requestBytes(rehearsalRequest(MIGRATION, "transactional"));
      const passed = await fetch(`${url}/v1/rehearse`, { method: "POST", headers: JSON_HEADERS, body });
      const text = await passed.text();
      expect(JSON.parse(text)).toMatchObject({ kind: "rehearsal-result", verdict: "PASS" });
      expect(passed.status).toBe(200);

      const oversize = await fetch(`${url}/v1/rehearse`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: Buffer.alloc(MAX_REHEARSAL_REQUEST_BYTES + 1, 0x20),
      });
      expect(oversize.status).toBe(413);
      expect(JSON.parse(await oversize.text())).toStrictEqual({
        kind: "rehearsal-result",
        v: 1,
        verdict: "REFUSED",
        reasons: ["malformed_input"],
      });
      // At the limit the body is read whole and the codec answers (whitespace is not a request).
      const atLimit = await fetch(`${url}/v1/rehearse`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: Buffer.alloc(MAX_REHEARSAL_REQUEST_BYTES, 0x20),
      });
      expect(atLimit.status).toBe(400);
      expect(await server.stop("SIGTERM")).toStrictEqual({ code: 0, signal: null });
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) await server.stop("SIGKILL");
    }
  }, 300_000);

  it("PASSes over JSON lines (T3)", async () => {
    const server = new CliChild([
      "serve",
      "--stdio",
      "--ephemeral",
      "--test-mode",
      "--keyring",
      GATE_PRIVATE,
      "--keyring",
      PUBLIC_KEYRING,
      "--lane-config",
      configPath,
    ]);
    try {
      const body = requestBytes(rehearsalRequest(MIGRATION, "snapshot_restore"));
      // Start-up (the ledger, the lane) and the rehearsal take a while on a busy machine.
      const answering = server.channel.nextLine(240_000);
      server.channel.write(`${envelope(body, "rehearse")}\n`);
      const answer = await answering;
      expect(JSON.parse(answer)).toMatchObject({ kind: "rehearsal-result", verdict: "PASS" });
      expect(await server.stop()).toStrictEqual({ code: 0, signal: null });
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) await server.stop("SIGKILL");
    }
  }, 300_000);
});

describe.skipIf(!hasRealServer())(
  `a 500 KB migration on a real PostgreSQL clone${hasRealServer() ? "" : ` (skipped: ${REAL_SERVER_SKIP_REASON})`}`,
  () => {
    let role: Awaited<ReturnType<typeof createLaneRole>> | undefined;
    let realConfig: string;

    beforeAll(async () => {
      role = await createLaneRole();
      const clone = await createRealClone(role);
      realConfig = join(root.dir, "lane-real.json");
      await writeFile(realConfig, JSON.stringify(realLaneConfig(clone.url, join(root.dir, "evidence-real"))));
    }, 120_000);

    afterAll(async () => {
      await role?.drop();
    });

    for (const mode of ["transactional", "snapshot_restore"] as const) {
      it(`PASSes through failclosed rehearse (${mode})`, async () => {
        const file = join(root.dir, `long-real-${mode}.sql`);
        await writeFile(file, MIGRATION);
        const result = await cli(rehearseArgs(realConfig, file, mode, PACKET_ID));
        expect(result.stderr).toBe("");
        expect(result.stdout).toMatch(/^PASS\nevidence tree [0-9a-f]{64}\n/);
        expect(result.code).toBe(0);
      }, 300_000);
    }
  },
);
