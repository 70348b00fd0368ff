/**
 * `failclosed clone hook`, the stand-in lane's clone hook, through the real command line: describe
 * names the clone's database; prepare installs exactly the marker given (or none) and the
 * production names, keeping the clean state once (0600); restore puts the clean marker and the
 * configuration's exact bytes back, and is idempotent; bad requests exit non-zero.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/lane/db/open.js";

const CLI = resolve("dist/src/cli/main.js");
const LANE_JSON = `{ "clone": { "engine": "pglite", "data_dir": "clone" },
  "production": { "databases": ["production"] },
  "keyring": ["keys/public.jwks.json", "keys/rehearsal.private.jwks.json"], "evidence_dir": "evidence" }
`;

let dir = "";

function cli(args: readonly string[], stdin = ""): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: dir, env: { PATH: process.env.PATH ?? "" }, timeout: 300_000 },
      (error, stdout, stderr) =>
        done({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : -1,
          out: `${stdout}${stderr}`,
        }),
    );
    child.stdin?.end(stdin);
  });
}

const hook = (request: unknown) =>
  cli(["clone", "hook", "--lane-config", "lane.json"], JSON.stringify(request));

async function markerRow(): Promise<string | null> {
  const db = await openDatabase({ engine: "pglite", dataDir: join(dir, "clone") });
  try {
    const present = await db.query("SELECT to_regclass('failclosed_clone.marker') IS NOT NULL AS p");
    if (present.rows[0]?.p !== true) return null;
    const row = await db.query("SELECT jws FROM failclosed_clone.marker WHERE id = 1");
    return String(row.rows[0]?.jws);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fc-clone-hook-cmd-"));
  expect((await cli(["keys", "init", "keys"])).code).toBe(0);
  const made = await cli([
    "clone",
    "create",
    "--from",
    "empty",
    "--as",
    "clone",
    "--keyring",
    "keys/operator.private.jwks.json",
  ]);
  expect(made.code).toBe(0);
  await writeFile(join(dir, "lane.json"), LANE_JSON);
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("failclosed clone hook", () => {
  it("describes, prepares, restores, and ends on the clean clone and configuration", async () => {
    const clean = await markerRow();
    expect(clean).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    const described = await hook({ v: 1, op: "describe" });
    expect(described).toEqual({ code: 0, out: '{"v":1,"ok":true,"database":"postgres"}\n' });

    const forged = "eyJhIjoxfQ.eyJiIjoyfQ.c2ln";
    const marker_b64 = Buffer.from(forged).toString("base64");
    const prepared = await hook({ v: 1, op: "prepare", marker_b64, production_databases: ["postgres"] });
    expect(prepared).toEqual({ code: 0, out: '{"v":1,"ok":true}\n' });
    expect(await markerRow()).toBe(forged);
    const config = JSON.parse(await readFile(join(dir, "lane.json"), "utf8")) as {
      production: { databases: string[] };
    };
    expect(config.production.databases.sort()).toEqual(["postgres", "production"]);
    const state = join(dir, "lane.json.clone-hook-clean.json");
    expect((await stat(state)).mode & 0o777).toBe(0o600);

    // A second prepare keeps the clean state it saved first, not the bent clone.
    expect((await hook({ v: 1, op: "prepare", marker_b64: null, production_databases: [] })).code).toBe(0);
    expect(await markerRow()).toBeNull();
    expect(await readFile(join(dir, "lane.json"), "utf8")).toBe(LANE_JSON);

    expect(await hook({ v: 1, op: "restore" })).toEqual({ code: 0, out: '{"v":1,"ok":true}\n' });
    expect(await markerRow()).toBe(clean);
    expect(await readFile(join(dir, "lane.json"), "utf8")).toBe(LANE_JSON);
    expect(existsSync(state)).toBe(false);
    // Idempotent: nothing to put back is not an error.
    expect((await hook({ v: 1, op: "restore" })).code).toBe(0);
    expect(await markerRow()).toBe(clean);
  }, 600_000);

  it("refuses requests that are not exactly protocol version 1", async () => {
    for (const request of [
      { v: 2, op: "describe" },
      { v: 1, op: "destroy" },
      { v: 1, op: "prepare", marker_b64: "not base64!", production_databases: [] },
      { v: 1, op: "prepare", marker_b64: null, production_databases: "postgres" },
    ]) {
      const answered = await hook(request);
      expect(answered.code).toBe(2);
      expect(answered.out).toMatch(/^failclosed: DOCUMENT_INVALID: clone hook request: /);
    }
  }, 300_000);
});
