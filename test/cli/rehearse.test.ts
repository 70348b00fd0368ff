/**
 * `failclosed clone create` and `failclosed rehearse` through the built CLI (npm test builds it;
 * run `npm run build` first when calling vitest directly), on a PGlite clone the CLI made itself.
 * The evidence each rehearsal leaves is checked with `tree --verify` and `verify --typ
 * evidence+jws`, as an operator would.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RehearsalResult } from "../../src/lane/codec/documents.js";
import { verifySealedDocument } from "../../src/lane/seal/verify.js";
import {
  CLEAN_MIGRATION,
  cli,
  digestPgliteDir,
  expectCliVerifies,
  LANE_KEYRING,
  OPERATOR_PRIVATE,
  OWNER_PRIVATE,
  PACKET_ID,
  pgliteLaneConfig,
  publicKeyring,
  readMarker,
  sha256Hex,
  tempRoot,
  withPglite,
  rehearseArgs,
} from "../support/lane-fixtures.js";

let root: Awaited<ReturnType<typeof tempRoot>>;
let cloneDir: string;
let configPath: string;
let evidenceDir: string;
const files: Record<"clean" | "commit" | "latin1" | "bom", string> = {
  clean: "",
  commit: "",
  latin1: "",
  bom: "",
};

const TREE = /^[0-9a-f]{64}$/;

function rehearse(migration: string, mode: string, ...extra: string[]) {
  return cli(rehearseArgs(configPath, migration, mode, PACKET_ID, { extra }));
}

/** The summary the command prints: verdict (reasons), the tree id, the evidence directory. */
function parseSummary(stdout: string): { line: string; tree: string; dir: string } {
  const match = /^(.*)\nevidence tree ([0-9a-f]{64})\nevidence (.+)\n$/.exec(stdout);
  if (match === null) throw new Error(`unexpected summary: ${JSON.stringify(stdout)}`);
  return { line: match[1] ?? "", tree: match[2] ?? "", dir: match[3] ?? "" };
}

beforeAll(async () => {
  root = await tempRoot("fc-cli-rehearse-");
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
  cloneDir = join(root.dir, "clone1");
  expect(created).toEqual({
    code: 0,
    stdout: `${cloneDir}\n`,
    stderr: "clone clone1: marker written for database postgres\n",
  });
  evidenceDir = join(root.dir, "evidence");
  configPath = join(root.dir, "lane.json");
  // Relative paths resolve against the configuration file's directory.
  await writeFile(configPath, JSON.stringify(pgliteLaneConfig("clone1", "evidence")));
  for (const [name, bytes] of [
    ["clean", Buffer.from(CLEAN_MIGRATION, "utf8")],
    ["commit", Buffer.from("CREATE TABLE t (a int);\nCOMMIT;\n", "utf8")],
    ["latin1", Buffer.from("INSERT INTO t VALUES ('caf\xe9');\n", "latin1")],
    ["bom", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CLEAN_MIGRATION, "utf8")])],
  ] as const) {
    files[name] = join(root.dir, `${name}.sql`);
    await writeFile(files[name], bytes);
  }
});

afterAll(async () => {
  await root?.remove();
});

describe("failclosed clone create", () => {
  it("wrote an operator marker naming the clone's database into the new clone", async () => {
    const jws = await withPglite(cloneDir, readMarker);
    const verified = await verifySealedDocument(await publicKeyring(), "clone-marker", jws);
    if (!verified.ok) throw new Error(verified.error.code);
    expect(verified.value.key.role).toBe("operator");
    expect(verified.value.payload).toMatchObject({
      kind: "clone-marker",
      clone: "clone1",
      database: "postgres",
    });
  });

  it("refuses to overwrite an existing directory: exit 2, FILE_EXISTS", async () => {
    const again = await cli([
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
    expect(again.code).toBe(2);
    expect(again.stdout).toBe("");
    expect(again.stderr).toBe(`failclosed: FILE_EXISTS: ${cloneDir} exists; refusing to overwrite\n`);
  });

  it("refuses a keyring without an operator private key: exit 2, KEY_MISSING", async () => {
    const result = await cli([
      "clone",
      "create",
      "--test-mode",
      "--from",
      "empty",
      "--as",
      "clone9",
      "--into",
      root.dir,
      "--keyring",
      OWNER_PRIVATE,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("failclosed: KEY_MISSING: the keyring holds no private operator key\n");
  });
});

describe("failclosed rehearse", () => {
  it("a clean migration, transactional, --json: exit 0, PASS, evidence verified, clone unchanged", async () => {
    const before = await digestPgliteDir(cloneDir);
    const result = await rehearse(files.clean, "transactional", "--json");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const doc = JSON.parse(result.stdout) as RehearsalResult;
    expect(doc).toMatchObject({
      kind: "rehearsal-result",
      v: 1,
      verdict: "PASS",
      reasons: [],
      before: before.digest,
      after_rollback: before.digest,
    });
    expect(doc.rehearsal_id).toMatch(/^rehearsal-[0-9a-f]{12}$/);
    expect(doc.after_apply).not.toBe(before.digest);
    const [name] = (await readdir(evidenceDir)).filter(
      (n) => n.startsWith(`${doc.rehearsal_id ?? ""}-`) && !n.endsWith(".jws"),
    );
    const dir = join(evidenceDir, name ?? "");
    const claims = await expectCliVerifies(dir, doc.evidence_tree ?? "", `${dir}.evidence.jws`);
    expect(claims).toMatchObject({
      verdict: "PASS",
      tree: doc.evidence_tree,
      packet_id: PACKET_ID,
      mode: "transactional",
      artifact_sha256: sha256Hex(await readFile(files.clean)),
      before: doc.before,
      after_apply: doc.after_apply,
      after_rollback: doc.after_rollback,
      scope: "clone",
    });
    expect(`${doc.evidence ?? ""}\n`).toBe(await readFile(`${dir}.evidence.jws`, "utf8"));
    expect((await digestPgliteDir(cloneDir)).digest).toBe(before.digest);
  });

  it("snapshot_restore with a chosen --rehearsal-id: exit 0 and the summary lines", async () => {
    const result = await rehearse(files.clean, "snapshot_restore", "--rehearsal-id", "cli-snap-1");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const summary = parseSummary(result.stdout);
    expect(summary.line).toBe("PASS");
    expect(summary.tree).toMatch(TREE);
    expect(summary.dir.startsWith(join(evidenceDir, "cli-snap-1-20"))).toBe(true);
    const claims = await expectCliVerifies(summary.dir, summary.tree, `${summary.dir}.evidence.jws`);
    expect(claims).toMatchObject({ rehearsal_id: "cli-snap-1", mode: "snapshot_restore", verdict: "PASS" });
  });

  it("COMMIT in the migration: exit 1, REFUSED (refused_by_classifier), evidence still verifies", async () => {
    const result = await rehearse(files.commit, "transactional");
    expect(result.code).toBe(1);
    const summary = parseSummary(result.stdout);
    expect(summary.line).toBe("REFUSED (refused_by_classifier)");
    expect(await expectCliVerifies(summary.dir, summary.tree, `${summary.dir}.evidence.jws`)).toMatchObject({
      verdict: "REFUSED",
      reasons: ["refused_by_classifier"],
      before: null,
      after_apply: null,
      after_rollback: null,
    });
  });

  it("FAILCLOSED_TEST_MODE=1 stands for --test-mode", async () => {
    const result = await cli(
      rehearseArgs(configPath, files.commit, "transactional", PACKET_ID, { testMode: false }),
      { FAILCLOSED_TEST_MODE: "1" },
    );
    expect(result.code).toBe(1);
    expect(parseSummary(result.stdout).line).toBe("REFUSED (refused_by_classifier)");
  });

  it("a migration file with a byte-order mark is refused, never rehearsed as other bytes", async () => {
    // The text keeps the BOM, so it is exactly the bytes hashed; PostgreSQL's parser refuses it.
    const result = await rehearse(files.bom, "transactional");
    expect(result.code).toBe(1);
    expect(parseSummary(result.stdout).line).toBe("REFUSED (refused_by_classifier)");
  });

  it("without test mode the test keyring is refused: exit 2, TEST_KEYRING_REFUSED", async () => {
    const result = await cli(
      rehearseArgs(configPath, files.clean, "transactional", PACKET_ID, { testMode: false }),
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^failclosed: TEST_KEYRING_REFUSED: .*rehearsal\.private\.jwks\.json: this keyring is marked test-only/,
    );
  });

  it("a lane keyring holding the owner's private key: exit 2, KEY_WRONG_ROLE, nothing rehearsed", async () => {
    const withOwner = join(root.dir, "owner-lane.json");
    await writeFile(
      withOwner,
      JSON.stringify(
        pgliteLaneConfig("clone1", "evidence-owner", { keyring: [...LANE_KEYRING, OWNER_PRIVATE] }),
      ),
    );
    const result = await cli(rehearseArgs(withOwner, files.clean, "transactional", PACKET_ID));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^failclosed: KEY_WRONG_ROLE: the lane's keyring holds the private owner key owner-[0-9a-f]+; remove it\n$/,
    );
    await expect(readdir(join(root.dir, "evidence-owner"))).rejects.toThrow(/ENOENT/);
  });

  it("a migration that is not UTF-8: exit 2, DOCUMENT_INVALID", async () => {
    const result = await rehearse(files.latin1, "transactional");
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `failclosed: DOCUMENT_INVALID: ${files.latin1}: the migration is not valid UTF-8\n`,
    });
  });

  it("an unknown mode: exit 2, USAGE", async () => {
    const result = await rehearse(files.clean, "dry_run");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.startsWith("failclosed: USAGE: --mode is transactional or snapshot_restore\n")).toBe(
      true,
    );
  });

  it("no --packet-id: exit 2, USAGE", async () => {
    const result = await cli([
      "rehearse",
      "--test-mode",
      "--config",
      configPath,
      "--migration",
      files.clean,
      "--mode",
      "transactional",
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(
      result.stderr.startsWith("failclosed: USAGE: --config, --migration and --packet-id are required\n"),
    ).toBe(true);
  });

  it("a packet id the protocol does not accept: exit 2, DOCUMENT_INVALID, nothing rehearsed", async () => {
    const listed = await readdir(evidenceDir);
    const result = await cli(rehearseArgs(configPath, files.clean, "transactional", "fix7 lower case"));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^failclosed: DOCUMENT_INVALID: the request is not valid/);
    expect(await readdir(evidenceDir)).toEqual(listed);
  });

  it("--help prints the usage: exit 0", async () => {
    const result = await cli(["rehearse", "--help"]);
    expect(result.code).toBe(0);
    expect(
      result.stdout.startsWith(
        "Usage: failclosed rehearse --config C --migration FILE --mode (transactional|snapshot_restore)",
      ),
    ).toBe(true);
  });
});

describe("failclosed clone create --from DIR", () => {
  it("copies a clone and gives the copy a fresh marker of its own", async () => {
    const result = await cli([
      "clone",
      "create",
      "--test-mode",
      "--from",
      cloneDir,
      "--as",
      "clone2",
      "--into",
      root.dir,
      "--keyring",
      OPERATOR_PRIVATE,
    ]);
    const copy = join(root.dir, "clone2");
    expect(result).toEqual({
      code: 0,
      stdout: `${copy}\n`,
      stderr: "clone clone2: marker written for database postgres\n",
    });
    const [original, copied] = await Promise.all([
      withPglite(cloneDir, readMarker),
      withPglite(copy, readMarker),
    ]);
    expect(copied).not.toBe(original);
    const verified = await verifySealedDocument(await publicKeyring(), "clone-marker", copied);
    if (!verified.ok) throw new Error(verified.error.code);
    expect(verified.value.payload).toMatchObject({ clone: "clone2", database: "postgres" });
  });
});
