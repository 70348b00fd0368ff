/**
 * The gate's command line, run as the built CLI in child processes: `serve` over HTTP (T2) with
 * graceful SIGTERM shutdown, and `decide` with its exit codes (0 ALLOW, 1 HOLD or DENY, 2 usage).
 * Documents are dated around the machine's clock because the CLI runs on the system clock.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REAL_SERVER_SKIP_REASON, createScratchDatabase, hasRealServer } from "../support/real-postgres.js";
import {
  CLI_MAIN,
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
      // Start-up (the ledger's database, its migrations and identity) is not what this test
      // measures: under a shared 2-core machine's load it has taken close to 30 s.
      const url = await server.channel.nextLine(120_000);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]{1,5}$/);

      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.text()).toBe('{"status":"ok"}');

      const cutover = await docs.authorized("CUTOVER");
      const allowed = await fetch(`${url}/v1/decide`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: cutover.bytes,
      });
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

      const replay = await fetch(`${url}/v1/decide`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: cutover.bytes,
      });
      expect(replay.status).toBe(403);
      expectRefusal(await replay.text(), keys, "DENY", ["replayed"], cutover.requestId);

      const hold = await docs.build(docs.holdScenario("REPOINT"));
      const held = await fetch(`${url}/v1/decide`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: hold.bytes,
      });
      expect(held.status).toBe(423);
      expectRefusal(await held.text(), keys, "HOLD", ["hold_default"], hold.requestId);

      const malformed = await fetch(`${url}/v1/decide`, { method: "POST", headers: JSON_HEADERS, body: "{" });
      expect(malformed.status).toBe(400);
      expectRefusal(await malformed.text(), keys, "DENY", ["malformed_input"], undefined);

      const oversize = await fetch(`${url}/v1/decide`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: Buffer.alloc(65_537, 0x20),
      });
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
  }, 240_000);

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

// ---------------------------------------------------------------------------------------------
// Operating faults (issue #13) and first-run paths (issue #12), from empty temporary folders
// ---------------------------------------------------------------------------------------------

/** The built CLI as a child in `cwd`; `runCli` above runs in the test's own directory. */
function spawnIn(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI_MAIN, ...args], {
    cwd,
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

function runIn(
  cwd: string,
  args: readonly string[],
  stdin?: Uint8Array,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnIn(cwd, args, env);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => out.push(c));
  child.stderr.on("data", (c: Buffer) => err.push(c));
  child.stdin.end(stdin === undefined ? undefined : Buffer.from(stdin));
  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      resolvePromise({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

/** A serve child in `cwd`: resolves with its URL once it prints one, or rejects with its stderr. */
function serveIn(
  cwd: string,
  args: readonly string[],
): { child: ChildProcessWithoutNullStreams; url: Promise<string>; stderr: () => string } {
  const child = spawnIn(cwd, ["serve", "--port", "0", ...keyringFlags(files.paths), ...args]);
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const url = new Promise<string>((resolvePromise, reject) => {
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line !== undefined) resolvePromise(line);
    });
    child.on("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolvePromise) => child.once("exit", (code) => resolvePromise(code)));
}

const JSON_POST = { method: "POST", headers: { "content-type": "application/json" } } as const;

describe("first run in an empty folder, and one writer per embedded ledger", () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), "failclosed-first-run-"));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("serve with only --keyring makes ./.failclosed (0700), announces its new ledger, and refuses a second writer", async () => {
    const first = serveIn(cwd, []);
    try {
      const url = await first.url;
      expect((await stat(join(cwd, ".failclosed"))).mode & 0o777).toBe(0o700);
      expect((await stat(join(cwd, ".failclosed", "gate-db"))).mode & 0o777).toBe(0o700);
      expect(first.stderr()).toMatch(/NOTICE: created a NEW, EMPTY gate ledger ledger-[0-9a-f]{16}/);

      const request = await docs.authorized("CUTOVER");
      const allowed = await fetch(`${url}/v1/decide`, { ...JSON_POST, body: request.bytes });
      expect(allowed.status).toBe(200);
      expectAllowShape(await allowed.text(), request.requestId);

      // decide beside the running serve, and a second serve: both refused at start, naming the holder.
      const [decide, second] = await Promise.all([
        runIn(cwd, ["decide", ...keyringFlags(files.paths), "-"], request.bytes),
        runIn(cwd, ["serve", "--port", "0", ...keyringFlags(files.paths)]),
      ]);
      for (const refused of [decide, second]) {
        expect(refused.code).toBe(2);
        expect(refused.stdout).toBe("");
        expect(refused.stderr).toContain("failclosed: LEDGER_LOCKED: ");
        expect(refused.stderr).toContain(`process ${first.child.pid}`);
      }

      // A crash leaves the lock behind; its holder is provably dead, so the next process takes it
      // over, and finds the grant the crashed process consumed.
      first.child.kill("SIGKILL");
      await exited(first.child);
      expect(JSON.parse(await readFile(join(cwd, ".failclosed", "gate-db.lock"), "utf8"))).toMatchObject({
        pid: first.child.pid,
      });
      const afterCrash = await runIn(cwd, ["decide", ...keyringFlags(files.paths), "-"], request.bytes);
      expect(afterCrash.code).toBe(1);
      expectRefusal(afterCrash.stdout.trimEnd(), keys, "DENY", ["replayed"], request.requestId);
      // Released on exit.
      await expect(stat(join(cwd, ".failclosed", "gate-db.lock"))).rejects.toMatchObject({ code: "ENOENT" });
    } finally {
      first.child.kill("SIGKILL");
    }
  }, 240_000);

  it("serve on a busy port exits 2 with ADDRESS_IN_USE before opening its ledger", async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolvePromise) => blocker.listen(0, "127.0.0.1", () => resolvePromise()));
    const { port } = blocker.address() as AddressInfo;
    const dir = await mkdtemp(join(tmpdir(), "failclosed-busy-"));
    try {
      const result = await runIn(dir, ["serve", "--port", String(port), ...keyringFlags(files.paths)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `failclosed: ADDRESS_IN_USE: 127.0.0.1:${port} is already in use; choose another --port\n`,
      );
      expect(existsSync(join(dir, ".failclosed"))).toBe(false);
    } finally {
      await new Promise<void>((resolvePromise) => blocker.close(() => resolvePromise()));
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("a ledger with an identity (ledger init, --ledger-id)", () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), "failclosed-ledger-"));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("a gate pinned to its ledger refuses a fresh one (the restart that forgot every grant) and any other", async () => {
    const init = await runIn(cwd, ["ledger", "init", "--data-dir", "gate-db"]);
    expect(init.code).toBe(0);
    const ledgerId = init.stdout.trim();
    expect(ledgerId).toMatch(/^ledger-[0-9a-f]{16}$/);
    expect(init.stderr).toContain(`--ledger-id ${ledgerId}`);

    const again = await runIn(cwd, ["ledger", "init", "--data-dir", "gate-db"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`failclosed: LEDGER_EXISTS: gate-db already holds ledger ${ledgerId}`);

    const show = await runIn(cwd, ["ledger", "show", "--data-dir", "gate-db"]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(
      new RegExp(`^${ledgerId} created \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\n$`),
    );

    const request = await docs.authorized("REPOINT");
    const pinned = ["decide", "--ledger-id", ledgerId, ...keyringFlags(files.paths)];
    const allowed = await runIn(cwd, [...pinned, "--data-dir", "gate-db", "-"], request.bytes);
    expect(allowed.code).toBe(0);
    expectAllowShape(allowed.stdout.trimEnd(), request.requestId);
    expect(allowed.stderr).toBe("");

    // A typo in the directory: refused, nothing created, nothing allowed.
    const typo = await runIn(cwd, [...pinned, "--data-dir", "gate-bd", "-"], request.bytes);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe("");
    expect(typo.stderr).toContain("failclosed: LEDGER_UNKNOWN: expected ledger");
    expect(existsSync(join(cwd, "gate-bd"))).toBe(false);

    // Another ledger that exists (made by an unpinned first run, which says so loudly): refused.
    const other = await runIn(
      cwd,
      ["decide", ...keyringFlags(files.paths), "--data-dir", "other-db", "-"],
      request.bytes,
    );
    expect(other.code).toBe(0);
    expect(other.stderr).toContain("NOTICE: created a NEW, EMPTY gate ledger");
    const wrong = await runIn(cwd, [...pinned, "--data-dir", "other-db", "-"], request.bytes);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /LEDGER_UNKNOWN: expected ledger ledger-[0-9a-f]{16}, but this database holds ledger ledger-/,
    );

    // FAILCLOSED_LEDGER_ID pins it as well; the right ledger still remembers the grant.
    const byEnv = await runIn(
      cwd,
      ["decide", ...keyringFlags(files.paths), "--data-dir", "gate-db", "-"],
      request.bytes,
      { FAILCLOSED_LEDGER_ID: ledgerId },
    );
    expect(byEnv.code).toBe(1);
    expectRefusal(byEnv.stdout.trimEnd(), keys, "DENY", ["replayed"], request.requestId);
  }, 240_000);

  it("a configured but empty database URL, a bad ledger id and --ephemeral with --ledger-id are usage errors", async () => {
    const request = await docs.authorized("DRYRUN");
    const [emptyUrl, badId, ephemeralPinned] = await Promise.all([
      runIn(cwd, ["decide", ...keyringFlags(files.paths), "-"], request.bytes, {
        FAILCLOSED_DATABASE_URL: "",
      }),
      runIn(cwd, ["decide", "--ledger-id", "../x", ...keyringFlags(files.paths), "-"], request.bytes),
      runIn(
        cwd,
        ["decide", "--ephemeral", "--ledger-id", "ledger-1", ...keyringFlags(files.paths), "-"],
        request.bytes,
      ),
    ]);
    for (const refused of [emptyUrl, badId, ephemeralPinned]) {
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toMatch(/^failclosed: USAGE: /);
    }
    expect(existsSync(join(cwd, ".failclosed"))).toBe(false);
  }, 120_000);
});

describe.skipIf(!hasRealServer())(
  `a pinned ledger on a real PostgreSQL server${hasRealServer() ? "" : ` (skipped: ${REAL_SERVER_SKIP_REASON})`}`,
  () => {
    it("refuses an empty database; ledger init then makes the one it accepts", async () => {
      const scratch = await createScratchDatabase("fc_cli_ledger");
      try {
        const request = await docs.authorized("CUTOVER");
        const refused = await runCli(
          ["decide", "--ledger-id", "ledger-0123456789abcdef", ...keyringFlags(files.paths), "-"],
          request.bytes,
          { FAILCLOSED_DATABASE_URL: scratch.url },
        );
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain("LEDGER_UNKNOWN");
        expect(refused.stderr).not.toContain(scratch.url);
        // A password in the URL (trust auth ignores it) never reaches the output.
        const withPassword = new URL(scratch.url);
        withPassword.password = "hunter2-secret";
        const init = await runCli(["ledger", "init"], undefined, {
          FAILCLOSED_DATABASE_URL: withPassword.toString(),
        });
        expect(init.code).toBe(0);
        expect(init.stderr).toContain(`in PostgreSQL database ${scratch.name} on `);
        expect(init.stdout + init.stderr).not.toContain("hunter2");
        const pinned = await runCli(
          ["decide", "--ledger-id", init.stdout.trim(), ...keyringFlags(files.paths), "-"],
          request.bytes,
          { FAILCLOSED_DATABASE_URL: scratch.url },
        );
        expect(pinned.code).toBe(0);
      } finally {
        await scratch.drop();
      }
    }, 120_000);
  },
);
