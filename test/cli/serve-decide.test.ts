/**
 * The gate's command line, run as the built CLI in child processes: `serve` over HTTP (T2) with
 * graceful SIGTERM shutdown, and `decide` with its exit codes (0 ALLOW, 1 HOLD or DENY, 2 usage).
 * Documents are dated around the machine's clock because the CLI runs on the system clock.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REAL_SERVER_SKIP_REASON, createScratchDatabase, hasRealServer } from "../support/real-postgres.js";
import {
  CliChild,
  Docs,
  expectAllowShape,
  expectNoSecrets,
  expectPermitFor,
  expectRefusal,
  keyringFlags,
  makeTestKeys,
  realNow,
  requireBuiltCli,
  runCli,
  verifyPermit,
  writeKeyFiles,
  type KeyFiles,
  type TestKeys,
} from "../support/gate-fixtures.js";

/** T2 takes application/json only (415 otherwise). */
const JSON_HEADERS = { "content-type": "application/json" } as const;

let keys: TestKeys;
let docs: Docs;
let files: KeyFiles;

beforeAll(async () => {
  requireBuiltCli();
  keys = await makeTestKeys();
  docs = new Docs(keys, realNow());
  files = await writeKeyFiles(keys);
});

afterAll(async () => {
  await files?.remove();
});

describe("serve (HTTP, T2) as a child process", () => {
  it("prints its URL, serves decide and healthz, and exits 0 on SIGTERM", async () => {
    const server = new CliChild([
      "serve",
      "--ephemeral",
      "--port",
      "0",
      "--test-mode",
      ...keyringFlags(files.paths),
    ]);
    try {
      const url = await server.channel.nextLine();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]{1,5}$/);

      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.text()).toBe('{"status":"ok"}');

      const cutover = await docs.authorized("CUTOVER");
      const allowed = await fetch(`${url}/v1/decide`, { method: "POST", headers: JSON_HEADERS, body: cutover.bytes });
      expect(allowed.status).toBe(200);
      const permit = expectAllowShape(await allowed.text(), cutover.requestId);
      const { permit: claims } = await verifyPermit(permit, keys);
      await expectPermitFor(permit, keys, {
        requestId: cutover.requestId,
        action: "CUTOVER",
        grantIds: cutover.grantIds,
        issuedAt: Date.parse(claims.issued_at) / 1000,
      });
      // The child's clock is the machine's: the permit is issued within a minute of ours.
      expect(Math.abs(Date.parse(claims.issued_at) / 1000 - realNow())).toBeLessThan(60);

      const replay = await fetch(`${url}/v1/decide`, { method: "POST", headers: JSON_HEADERS, body: cutover.bytes });
      expect(replay.status).toBe(403);
      expectRefusal(await replay.text(), keys, "DENY", ["replayed"], cutover.requestId);

      const hold = await docs.build(docs.holdScenario("REPOINT"));
      const held = await fetch(`${url}/v1/decide`, { method: "POST", headers: JSON_HEADERS, body: hold.bytes });
      expect(held.status).toBe(423);
      expectRefusal(await held.text(), keys, "HOLD", ["hold_default"], hold.requestId);

      const malformed = await fetch(`${url}/v1/decide`, { method: "POST", headers: JSON_HEADERS, body: "{" });
      expect(malformed.status).toBe(400);
      expectRefusal(await malformed.text(), keys, "DENY", ["malformed_input"], undefined);

      const oversize = await fetch(`${url}/v1/decide`, { method: "POST", headers: JSON_HEADERS, body: Buffer.alloc(65_537, 0x20) });
      expect(oversize.status).toBe(413);
      expectRefusal(await oversize.text(), keys, "DENY", ["malformed_input"], undefined);

      expect((await fetch(`${url}/nowhere`)).status).toBe(404);
      expect((await fetch(`${url}/v1/decide`)).status).toBe(405);

      // Graceful: keep-alive connections from fetch must not hold the process open.
      expect(await server.stop("SIGTERM")).toStrictEqual({ code: 0, signal: null });
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) await server.stop("SIGKILL");
    }
    expectNoSecrets(server.stdout, keys);
    expectNoSecrets(server.stderr, keys);
  });

  it("refuses a bad port before opening anything (exit 2)", async () => {
    const result = await runCli(["serve", "--ephemeral", "--port", "70000", ...keyringFlags(files.paths)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("USAGE");
    expect(result.stdout).toBe("");
  });
});

describe("decide as a child process", () => {
  it("ALLOW exits 0 and DENY exits 1, each printing only the verdict", async () => {
    const cutover = await docs.authorized("CUTOVER");
    const forbidden = docs.scenario("ACTIVATION");
    forbidden.packet.payload["selected"] = "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY";
    const denied = await docs.build(forbidden);
    const base = ["decide", "--ephemeral", ...keyringFlags(files.paths)];
    // Each run boots its own PGlite: run them side by side.
    const [allow, deny] = await Promise.all([
      runCli([...base, "-"], cutover.bytes),
      runCli([...base, "-"], denied.bytes),
    ]);

    expect(allow.code).toBe(0);
    const permit = expectAllowShape(allow.stdout.trimEnd(), cutover.requestId);
    const { permit: claims } = await verifyPermit(permit, keys);
    expect(claims).toMatchObject({
      request_id: cutover.requestId,
      action: "CUTOVER",
      grants: [...cutover.grantIds],
    });

    expect(deny.code).toBe(1);
    expectRefusal(deny.stdout.trimEnd(), keys, "DENY", ["option_forbids"], denied.requestId);

    for (const run of [allow, deny]) {
      expect(run.stdout.endsWith("\n")).toBe(true);
      expect(run.stdout.trimEnd().includes("\n")).toBe(false);
      expectNoSecrets(run.stdout, keys);
      expectNoSecrets(run.stderr, keys);
    }
  });

  it("consumed grants outlive the process in a PGlite data directory (G5, G8): the second run is replayed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "failclosed-gate-db-"));
    try {
      const request = await docs.authorized("REPOINT");
      const flags = ["decide", "--data-dir", join(dir, "db"), ...keyringFlags(files.paths), "-"];
      const first = await runCli(flags, request.bytes);
      expect(first.code).toBe(0);
      expectAllowShape(first.stdout.trimEnd(), request.requestId);
      const second = await runCli(flags, request.bytes);
      expect(second.code).toBe(1);
      expectRefusal(second.stdout.trimEnd(), keys, "DENY", ["replayed"], request.requestId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("usage errors exit 2 without a verdict", async () => {
    const [noKeyring, noFile, unknownFlag] = await Promise.all([
      runCli(["decide", "--ephemeral", "-"], "{}"),
      runCli(["decide", "--ephemeral", ...keyringFlags(files.paths)]),
      runCli(["decide", "--ephemeral", "--allow-everything", ...keyringFlags(files.paths), "-"], "{}"),
    ]);
    for (const run of [noKeyring, noFile, unknownFlag]) {
      expect(run.code).toBe(2);
      expect(run.stdout).not.toContain('"verdict"');
      expectNoSecrets(run.stderr, keys);
    }
  });
});

/** ALLOW once, then replayed from a second process: the ledger lives on the server (G5, G8). */
async function allowThenReplay(flags: readonly string[], env: NodeJS.ProcessEnv, url: string): Promise<void> {
  const request = await docs.authorized("CUTOVER");
  const first = await runCli([...flags, "-"], request.bytes, env);
  expect(first.code).toBe(0);
  expectAllowShape(first.stdout.trimEnd(), request.requestId);
  const second = await runCli([...flags, "-"], request.bytes, env);
  expect(second.code).toBe(1);
  expectRefusal(second.stdout.trimEnd(), keys, "DENY", ["replayed"], request.requestId);
  // The connection string (it may hold a password) is never printed.
  for (const run of [first, second]) expect(run.stdout + run.stderr).not.toContain(url);
}

describe.skipIf(!hasRealServer())(
  `decide on a real PostgreSQL server${hasRealServer() ? "" : ` (skipped: ${REAL_SERVER_SKIP_REASON})`}`,
  () => {
    it("FAILCLOSED_DATABASE_URL keeps the ledger on the server: ALLOW once, then replayed", async () => {
      const scratch = await createScratchDatabase("fc_cli_gate");
      try {
        await allowThenReplay(
          ["decide", ...keyringFlags(files.paths)],
          { FAILCLOSED_DATABASE_URL: scratch.url },
          scratch.url,
        );
      } finally {
        await scratch.drop();
      }
    });

    /**
     * BUG (src/cli/gate-options.ts, gateSetup): with --database-url and no --data-dir, dataDir
     * still defaults to .failclosed/gate-db (the default is skipped only for the environment
     * variable), so databaseLocation refuses "a database URL or a PGlite data directory, not
     * both" and the flag can never be used: exit 2 USAGE.
     */
    it("--database-url keeps the ledger on the server: ALLOW once, then replayed", async () => {
      const scratch = await createScratchDatabase("fc_cli_gate");
      try {
        await allowThenReplay(
          ["decide", "--database-url", scratch.url, ...keyringFlags(files.paths)],
          {},
          scratch.url,
        );
      } finally {
        await scratch.drop();
      }
    });
  },
);
