import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const CLI = resolve("dist/src/cli/main.js");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (npm test builds it first) and never throws on a non-zero exit. */
async function cli(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const child = run(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? "", ...options.env },
    encoding: "utf8",
  });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
let keys: string;
let ownerKid: string;
const grant = {
  kind: "grant",
  v: 1,
  grant_id: "g1",
  packet_id: "FIX7-P0-2026-06-12",
  action: "DRYRUN",
  target: "production",
  nonce: "q83vEjRWeJq83vEjRWeJqw",
  not_before: "2026-11-24T00:00:00Z",
  expires_at: "2026-11-24T12:00:00Z",
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fc-cli-"));
  keys = join(dir, "keys");
  const init = await cli(["keys", "init", keys]);
  expect(init.code).toBe(0);
  const owner = JSON.parse(await readFile(join(keys, "owner.private.jwks.json"), "utf8")) as {
    keys: Array<{ kid: string }>;
  };
  ownerKid = owner.keys[0]?.kid ?? "";
  await writeFile(join(dir, "grant.json"), JSON.stringify(grant));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("failclosed --help and usage errors", () => {
  it("prints the command list and exits 0", async () => {
    const result = await cli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["serve", "decide", "seal", "verify", "tree", "keys"]) {
      expect(result.stdout).toContain(`  ${command}`);
    }
  });

  it("exits 2 with a stable code for an unknown command or flag", async () => {
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^failclosed: USAGE: unknown command/);
    const flag = await cli(["verify", "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^failclosed: USAGE: /);
  });

  it("refuses a malformed FAILCLOSED_TEST_MODE instead of guessing", async () => {
    const result = await cli(["verify", "--keyring", "x", "--typ", "grant+jws", "-"], {
      env: { FAILCLOSED_TEST_MODE: "yes" },
      input: "",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("FAILCLOSED_TEST_MODE");
  });
});

describe("keys init", () => {
  it("writes private halves 0600 in a 0700 directory and a public file without secrets", async () => {
    expect((await stat(keys)).mode & 0o777).toBe(0o700);
    for (const role of ["owner", "operator", "gate", "rehearsal"]) {
      expect((await stat(join(keys, `${role}.private.jwks.json`))).mode & 0o777).toBe(0o600);
    }
    const publicSet = await readFile(join(keys, "public.jwks.json"), "utf8");
    expect(publicSet).not.toMatch(/"d"\s*:/);
    expect(publicSet).not.toMatch(/"k"\s*:/);
  });

  it("refuses to overwrite an existing keyring (FILE_EXISTS)", async () => {
    const again = await cli(["keys", "init", keys]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^failclosed: FILE_EXISTS: /);
  });
});

describe("seal and verify", () => {
  it("seals a grant that verifies with the public keyring, printing the payload", async () => {
    const seal = await cli([
      "seal",
      "--keyring",
      join(keys, "owner.private.jwks.json"),
      "--kid",
      ownerKid,
      "--typ",
      "grant+jws",
      join(dir, "grant.json"),
    ]);
    expect(seal.code).toBe(0);
    const jwsPath = join(dir, "grant.jws");
    await writeFile(jwsPath, seal.stdout);
    const verify = await cli([
      "verify",
      "--keyring",
      join(keys, "public.jwks.json"),
      "--typ",
      "grant+jws",
      jwsPath,
    ]);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toEqual(grant);
    expect(verify.stderr).toContain(`sealed by ${ownerKid} (owner)`);
  });

  it("reads the JWS from stdin with -", async () => {
    const seal = await cli(
      [
        "seal",
        "--keyring",
        join(keys, "owner.private.jwks.json"),
        "--kid",
        ownerKid,
        "--typ",
        "grant+jws",
        "-",
      ],
      {
        input: JSON.stringify(grant),
      },
    );
    expect(seal.code).toBe(0);
    const verify = await cli(
      ["verify", "--keyring", join(keys, "public.jwks.json"), "--typ", "grant+jws", "-"],
      { input: seal.stdout },
    );
    expect(verify.code).toBe(0);
  });

  it("exits 1 with the reason code for a seal of another type or a flipped byte", async () => {
    const seal = await cli([
      "seal",
      "--keyring",
      join(keys, "owner.private.jwks.json"),
      "--kid",
      ownerKid,
      "--typ",
      "grant+jws",
      join(dir, "grant.json"),
    ]);
    const wrongType = await cli(
      ["verify", "--keyring", join(keys, "public.jwks.json"), "--typ", "permit+jws", "-"],
      { input: seal.stdout },
    );
    expect(wrongType.code).toBe(1);
    expect(wrongType.stderr).toBe("invalid: typ_mismatch\n");
    const [header, payload, signature] = seal.stdout.trim().split(".");
    const flipped = `${header}.${payload}.${signature?.startsWith("A") ? "B" : "A"}${signature?.slice(1)}`;
    const bad = await cli(
      ["verify", "--keyring", join(keys, "public.jwks.json"), "--typ", "grant+jws", "-"],
      { input: flipped },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^invalid: (signature_invalid|seal_malformed)\n$/);
  });

  it("refuses to seal an invalid document (DOCUMENT_INVALID) and a key of the wrong role", async () => {
    await writeFile(join(dir, "dup.json"), '{"kind":"grant","kind":"grant"}');
    const invalid = await cli([
      "seal",
      "--keyring",
      join(keys, "owner.private.jwks.json"),
      "--kid",
      ownerKid,
      "--typ",
      "grant+jws",
      join(dir, "dup.json"),
    ]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^failclosed: DOCUMENT_INVALID: .*duplicate_member/);
    const gateKid =
      (
        JSON.parse(await readFile(join(keys, "gate.private.jwks.json"), "utf8")) as {
          keys: Array<{ kid: string }>;
        }
      ).keys[0]?.kid ?? "";
    const wrongRole = await cli([
      "seal",
      "--keyring",
      join(keys, "gate.private.jwks.json"),
      "--kid",
      gateKid,
      "--typ",
      "grant+jws",
      join(dir, "grant.json"),
    ]);
    expect(wrongRole.code).toBe(2);
    expect(wrongRole.stderr).toMatch(/^failclosed: KEY_WRONG_ROLE: /);
  });

  it("seals an artifact detached and verifies it only against the exact bytes (S6)", async () => {
    const artifact = join(dir, "migration.sql");
    await writeFile(artifact, "CREATE TABLE t (a int);\n");
    const seal = await cli([
      "seal",
      "--keyring",
      join(keys, "owner.private.jwks.json"),
      "--kid",
      ownerKid,
      "--typ",
      "artifact+jws",
      "--detached",
      artifact,
    ]);
    expect(seal.code).toBe(0);
    expect(seal.stdout).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\n$/);
    const jwsPath = join(dir, "migration.jws");
    await writeFile(jwsPath, seal.stdout);
    const ok = await cli([
      "verify",
      "--keyring",
      join(keys, "public.jwks.json"),
      "--typ",
      "artifact+jws",
      "--artifact",
      artifact,
      jwsPath,
    ]);
    expect(ok.code).toBe(0);
    await writeFile(artifact, "CREATE TABLE t (a int);\r\n");
    const crlf = await cli([
      "verify",
      "--keyring",
      join(keys, "public.jwks.json"),
      "--typ",
      "artifact+jws",
      "--artifact",
      artifact,
      jwsPath,
    ]);
    expect(crlf.code).toBe(1);
    expect(crlf.stderr).toBe("invalid: signature_invalid\n");
  });

  it("refuses a private keyring readable by others outside test mode (KEYRING_PERMISSIONS)", async () => {
    const loose = join(dir, "loose.private.jwks.json");
    await writeFile(loose, await readFile(join(keys, "owner.private.jwks.json")));
    await chmod(loose, 0o644);
    const result = await cli([
      "seal",
      "--keyring",
      loose,
      "--kid",
      ownerKid,
      "--typ",
      "grant+jws",
      join(dir, "grant.json"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^failclosed: KEYRING_PERMISSIONS: /);
  });

  it("reports an unreadable file with FILE_UNREADABLE", async () => {
    const result = await cli(["verify", "--keyring", join(dir, "missing.json"), "--typ", "grant+jws", "-"], {
      input: "",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^failclosed: FILE_UNREADABLE: /);
  });
});

describe("tree", () => {
  it("prints a tree id and verifies it; a changed byte is a mismatch (exit 1)", async () => {
    const evidence = join(dir, "evidence");
    await mkdir(join(evidence, "digests"), { recursive: true });
    await writeFile(join(evidence, "result.json"), "{}");
    await writeFile(join(evidence, "digests", "public.t"), "abc");
    const tree = await cli(["tree", evidence]);
    expect(tree.code).toBe(0);
    const id = tree.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await cli(["tree", "--verify", id, evidence])).code).toBe(0);
    await writeFile(join(evidence, "result.json"), "{ }");
    const mismatch = await cli(["tree", "--verify", id, evidence]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain("tree_mismatch");
  });

  it("refuses a symlink (exit 1) and a malformed id (exit 2)", async () => {
    const linked = join(dir, "linked");
    await mkdir(linked);
    await writeFile(join(linked, "a"), "x");
    await symlink("a", join(linked, "b"));
    const refused = await cli(["tree", linked]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("tree_symlink");
    const usage = await cli(["tree", "--verify", "ABC", linked]);
    expect(usage.code).toBe(2);
  });
});
