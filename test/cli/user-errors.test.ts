/**
 * Every user error prints `failclosed: CODE: message` and exits 2, through the real command line
 * from an empty folder: none is an internal error (exit 4), none prints `[object Object]`, and
 * none starts a run (no seed line, no reports/).
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finding } from "../fuzz/report/fixtures.js";
import { cliIn, cliWithClosedReader, emptyFolder, USER_ERROR } from "./cli-process.js";

let folder: Awaited<ReturnType<typeof emptyFolder>>;
let cwd: string;
let keyringFlags: string[];

beforeAll(async () => {
  folder = await emptyFolder("fc-user-errors-");
  cwd = folder.dir;
  const init = await cliIn(cwd, ["keys", "init", "keys", "--test-only"]);
  expect(init.code).toBe(0);
  keyringFlags = ["owner", "operator", "gate", "rehearsal"].flatMap((role) => [
    "--keyring",
    join("keys", `${role}.private.jwks.json`),
  ]);
  await writeFile(join(cwd, "a-file"), "not a directory\n");
}, 60_000);

afterAll(async () => {
  await folder.remove();
});

async function expectUserError(args: string[], code: string, message: RegExp): Promise<string> {
  const result = await cliIn(cwd, args);
  expect(result.code, args.join(" ")).toBe(2);
  expect(result.stderr, args.join(" ")).toMatch(USER_ERROR(code));
  expect(result.stderr, args.join(" ")).toMatch(message);
  expect(result.stderr).not.toContain("[object Object]");
  expect(result.stderr).not.toMatch(/^\s+at /m);
  return result.stdout;
}

describe("user errors exit 2 with their code", () => {
  it("help for an unknown command is a usage error; help for a known one is not", async () => {
    await expectUserError(["help", "nosuch"], "USAGE", /unknown command 'nosuch'/);
    await expectUserError(["nosuch"], "USAGE", /unknown command 'nosuch'/);
    const none = await expectUserError([], "USAGE", /a command is required/);
    expect(none).toBe("");
    const known = await cliIn(cwd, ["help", "corpus"]);
    expect(known.code).toBe(0);
    expect(known.stdout).toMatch(/^Usage: failclosed corpus add/);
  });

  it("keys init onto a file, or under one, is refused and writes nothing", async () => {
    await expectUserError(["keys", "init", "a-file"], "FILE_EXISTS", /a-file is a file, not a directory/);
    await expectUserError(["keys", "init", "a-file/sub"], "FILE_EXISTS", /a-file is a file, not a directory/);
    const fresh = await cliIn(cwd, ["keys", "init", "nested/new-keys"]);
    expect(fresh.code).toBe(0);
  });

  it("clone create --from a missing directory or a file is refused before any database is made", async () => {
    const operator = ["--keyring", join("keys", "operator.private.jwks.json"), "--test-mode"];
    await expectUserError(
      ["clone", "create", "--from", "no-such-dir", "--as", "c1", ...operator],
      "FILE_UNREADABLE",
      /--from no-such-dir: no such directory/,
    );
    await expectUserError(
      ["clone", "create", "--from", "a-file", "--as", "c1", ...operator],
      "FILE_UNREADABLE",
      /--from a-file: not a directory/,
    );
    await mkdir(join(cwd, "not-pglite"));
    await writeFile(join(cwd, "not-pglite", "notes.txt"), "not a database\n");
    await expectUserError(
      ["clone", "create", "--from", "not-pglite", "--as", "c1", ...operator],
      "USAGE",
      /--from not-pglite is not a PGlite data directory/,
    );
    await expectUserError(
      ["clone", "create", "--from", "empty", "--as", "c1", "--into", "a-file/x", ...operator],
      "FILE_EXISTS",
      /a-file is a file, not a directory/,
    );
    expect(await readdir(cwd)).not.toContain("c1");
  });

  it("tree on a missing directory or a file is a user error, not a refused tree", async () => {
    const id = "a".repeat(64);
    await expectUserError(["tree", "no-such-dir"], "FILE_UNREADABLE", /tree no-such-dir: no such directory/);
    await expectUserError(["tree", "a-file"], "FILE_UNREADABLE", /tree a-file: not a directory/);
    await expectUserError(["tree", "--verify", id, "no-such-dir"], "FILE_UNREADABLE", /no such directory/);
  });

  it("a gate --data-dir that is a file is a user error, not an internal one or [object Object]", async () => {
    const result = await cliIn(cwd, [
      "decide",
      "--test-mode",
      ...["--keyring", join("keys", "gate.private.jwks.json"), "--keyring", join("keys", "public.jwks.json")],
      "--data-dir",
      "a-file",
      "a-file",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(USER_ERROR("FILE_EXISTS"));
    expect(result.stderr).toMatch(/--data-dir a-file: \S*a-file is a file, not a directory/);
    expect(result.stderr).not.toContain("[object Object]");
  }, 60_000);

  it("run refuses a non-http target, a missing --corpus and a --report-dir behind a file before it starts", async () => {
    const cases: Array<[string[], string, RegExp]> = [
      [
        ["--target", "ftp://127.0.0.1:21", ...keyringFlags],
        "USAGE",
        /--target takes an http:\/\/(HOST:PORT)? URL, not ftp:/,
      ],
      [
        ["--target", "not a url", ...keyringFlags],
        "USAGE",
        /--target takes an http:\/\/(HOST:PORT)? URL, not "not a url"/,
      ],
      [["--corpus", "no-such-corpus"], "FILE_UNREADABLE", /--corpus \S*no-such-corpus: no such directory/],
      [["--corpus", "a-file"], "FILE_UNREADABLE", /--corpus \S*a-file: not a directory/],
      [["--report-dir", "a-file"], "FILE_EXISTS", /--report-dir \S*a-file: \S*a-file is a file/],
      [["--report-dir", "a-file/reports"], "FILE_EXISTS", /a-file is a file, not a directory/],
    ];
    for (const [flags, code, message] of cases) {
      const stdout = await expectUserError(["run", ...flags], code, message);
      // Refused before the run began: no seed line, no report directory.
      expect(stdout, flags.join(" ")).toBe("");
    }
    expect(await readdir(cwd)).not.toContain("reports");
  });

  it("replay --regenerate refuses a missing --corpus instead of regenerating without seeds", async () => {
    await writeFile(join(cwd, "finding.json"), JSON.stringify(finding()));
    await expectUserError(
      ["replay", "--regenerate", "--corpus", "no-such-corpus", "finding.json"],
      "FILE_UNREADABLE",
      /--corpus \S*no-such-corpus: no such directory/,
    );
  });

  it("a closed stderr does not turn a user error into a crash", async () => {
    const result = await cliWithClosedReader(cwd, ["run", "--corpus", "no-such-corpus"], {
      stdout: true,
      stderr: true,
    });
    expect(result).toMatchObject({ code: 2, signal: null });
  });

  it("an existing --corpus is accepted (must stay quiet): the run reads it", async () => {
    // A bad seed stops the run as soon as the corpus is read, which is after the path checks:
    // reaching it proves the directory was accepted, without starting a run.
    await mkdir(join(cwd, "my-corpus", "P01", "seeds"), { recursive: true });
    await writeFile(join(cwd, "my-corpus", "P01", "seeds", "bad.json"), "{}");
    const result = await cliIn(cwd, ["run", "--corpus", "my-corpus", "--only", "P01"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(USER_ERROR("DOCUMENT_INVALID"));
    expect(result.stderr).toMatch(/my-corpus\/P01\/seeds\/bad\.json: not a valid decision packet/);
  });

  it("a --database-url server that refuses the lane's clone is the user's to fix, and its password is never printed", async () => {
    // Nothing listens on port 1: no server is needed for this one.
    const refused = await cliIn(cwd, [
      ...["run", "--only", "C02", "--report-dir", "out", "--database-url"],
      "postgres://fc_user:s3cr3t-pw@127.0.0.1:1/postgres",
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(USER_ERROR("DATABASE_UNAVAILABLE"));
    expect(refused.stderr).toMatch(
      /cannot make the lane's clone on the --database-url server: .*ECONNREFUSED/,
    );
    expect(refused.stdout + refused.stderr).not.toContain("s3cr3t-pw");
    expect(refused.stderr).not.toMatch(/^\s+at /m);
  });

  it.skipIf(process.env.FAILCLOSED_TEST_DATABASE_URL === undefined)(
    "a --database-url role that does not exist is DATABASE_UNAVAILABLE, exit 2 (was INTERNAL, exit 4)",
    async () => {
      const url = new URL(process.env.FAILCLOSED_TEST_DATABASE_URL ?? "");
      url.username = "fc_no_such_role_7f3a";
      url.password = "s3cr3t-pw";
      const missing = await cliIn(cwd, [
        "run",
        "--only",
        "C02",
        "--report-dir",
        "out",
        "--database-url",
        url.toString(),
      ]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(USER_ERROR("DATABASE_UNAVAILABLE"));
      expect(missing.stderr).toContain('role "fc_no_such_role_7f3a" does not exist');
      expect(missing.stdout + missing.stderr).not.toContain("s3cr3t-pw");
    },
  );
});
