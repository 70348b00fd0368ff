/**
 * First-run paths through the real command line from an empty folder, with the defaults:
 * `keys init`, `clone create`, `rehearse` and `corpus add` make the directories they need
 * (private ones 0700), and the corpus a project writes lives in the project
 * (./failclosed/corpus), never inside the installed package.
 */
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rehearseArgs } from "../support/lane-fixtures.js";
import { CORPORA_DIR } from "../../src/kernel/paths.js";
import { finding } from "../fuzz/report/fixtures.js";
import { cliIn, emptyFolder, USER_ERROR } from "./cli-process.js";

let folder: Awaited<ReturnType<typeof emptyFolder>>;
let cwd: string;

const mode = async (path: string): Promise<number> => (await stat(join(cwd, path))).mode & 0o777;

beforeAll(async () => {
  folder = await emptyFolder("fc-first-run-");
  cwd = folder.dir;
});

afterAll(async () => {
  await folder.remove();
});

describe("first run in an empty folder", () => {
  it("keys init makes its directory and parents; the key directory is 0700, private keys 0600", async () => {
    const result = await cliIn(cwd, ["keys", "init", "secrets/keys"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(await mode("secrets/keys")).toBe(0o700);
    expect(await mode("secrets/keys/owner.private.jwks.json")).toBe(0o600);
    expect(await mode("secrets/keys/public.jwks.json")).toBe(0o644);
  });

  it("clone create --from empty makes the clone (0700) under a missing --into, and rehearse runs on it", async () => {
    const created = await cliIn(cwd, [
      "clone",
      "create",
      "--from",
      "empty",
      "--as",
      "clone1",
      "--into",
      "clones",
      "--keyring",
      "secrets/keys/operator.private.jwks.json",
    ]);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).toBe(`${join(cwd, "clones", "clone1")}\n`);
    expect(await mode("clones/clone1")).toBe(0o700);

    await writeFile(
      join(cwd, "lane.json"),
      JSON.stringify({
        clone: { engine: "pglite", data_dir: "clones/clone1" },
        production: { databases: ["production"] },
        keyring: ["secrets/keys/rehearsal.private.jwks.json", "secrets/keys/public.jwks.json"],
        evidence_dir: "out/evidence",
      }),
    );
    await writeFile(join(cwd, "migration.sql"), "CREATE TABLE first_run (id bigint PRIMARY KEY);\n");
    const rehearsed = await cliIn(
      cwd,
      rehearseArgs("lane.json", "migration.sql", "transactional", "FIRST-RUN-1", { testMode: false }),
    );
    expect(rehearsed.stderr).toBe("");
    expect(rehearsed.code).toBe(0);
    expect(rehearsed.stdout).toMatch(/^PASS\nevidence tree [0-9a-f]{64}\nevidence \S+\n$/);
    const evidence = /evidence (\/\S+)\n$/.exec(rehearsed.stdout)?.[1] ?? "";
    expect(evidence.startsWith(join(cwd, "out", "evidence"))).toBe(true);
    expect(existsSync(evidence)).toBe(true);
  }, 120_000);

  it("rehearse refuses an evidence_dir behind a file before it touches the clone (exit 2)", async () => {
    await writeFile(
      join(cwd, "lane-bad.json"),
      JSON.stringify({
        clone: { engine: "pglite", data_dir: "clones/clone1" },
        production: { databases: ["production"] },
        keyring: ["secrets/keys/rehearsal.private.jwks.json", "secrets/keys/public.jwks.json"],
        evidence_dir: "migration.sql/evidence",
      }),
    );
    const result = await cliIn(
      cwd,
      rehearseArgs("lane-bad.json", "migration.sql", "transactional", "FIRST-RUN-1", { testMode: false }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(USER_ERROR("FILE_EXISTS"));
    expect(result.stderr).toMatch(/lane-bad\.json: evidence_dir \S+: \S+migration\.sql is a file/);
  });

  it("corpus add saves to ./failclosed/corpus by default, never into the package", async () => {
    await writeFile(join(cwd, "finding.json"), JSON.stringify(finding()));
    const saved = await cliIn(cwd, ["corpus", "add", "finding.json"]);
    const path = join(cwd, "failclosed", "corpus", "P02", "failures", "P02-0123456789abcdef.json");
    expect(saved).toMatchObject({ code: 0, stderr: "" });
    expect(saved.stdout).toBe(`saved P02-0123456789abcdef to ${path}\n`);
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ id: "P02-0123456789abcdef" });
    expect(existsSync(join(CORPORA_DIR, "P02", "failures", "P02-0123456789abcdef.json"))).toBe(false);
  });

  it("corpus add --corpus makes a missing directory, and refuses one behind a file", async () => {
    const saved = await cliIn(cwd, ["corpus", "add", "finding.json", "--corpus", "team/corpus"]);
    expect(saved.code).toBe(0);
    expect(existsSync(join(cwd, "team", "corpus", "P02", "failures", "P02-0123456789abcdef.json"))).toBe(
      true,
    );
    const refused = await cliIn(cwd, ["corpus", "add", "finding.json", "--corpus", "migration.sql/corpus"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(USER_ERROR("FILE_EXISTS"));
  });
});
