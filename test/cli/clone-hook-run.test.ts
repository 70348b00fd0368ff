/**
 * P07 on a user's own lane, through the real command line from an empty folder: the stand-in
 * (`serve --lane-config lane.json --lane-reload`) with `failclosed clone hook` as --clone-cmd
 * closes P07; the same hook path on a lane whose clone guard trusts any marker row yields a
 * confirmed P07 finding (exit 1); without a hook P07 is not applicable, and the text and exit
 * code agree.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, type RunningHttpServer } from "../../src/lane/server/http.js";
import { openReloadingLaneAnswerer } from "../../src/lane/server/reloading-lane.js";
import { createHash } from "node:crypto";
import type { Guard } from "../../src/lane/rehearsal/components.js";
import { markerPresenceGuard } from "../../src/fuzz/calibrate/flaws/p07-marker-presence-guard.js";

/**
 * The flawed guard, with the marker id a lane binds its clean digest to taken from the row it
 * never verified: each marker a probe installs is then its own clone to the lane's journal, as it
 * would be for a guard that read the id from the unverified payload.
 */
const trustsAnyMarkerRow: Guard = async (session, engine, production, keyring) => {
  const guarded = await markerPresenceGuard(session, engine, production, keyring);
  if (!guarded.ok) return guarded;
  const row = await session.query("SELECT jws FROM failclosed_clone.marker WHERE id = 1");
  const jws = String(row.rows[0]?.jws);
  return { ...guarded, markerId: `row-${createHash("sha256").update(jws).digest("hex").slice(0, 16)}` };
};

const CLI = resolve("dist/src/cli/main.js");
const NODE = process.execPath;
const KEYRING = ["owner", "operator", "gate", "rehearsal"].flatMap((role) => [
  "--keyring",
  `keys/${role}.private.jwks.json`,
]);

/**
 * A short `run` at a served lane: seed 7, a 1 s budget beyond the floors, and 120 s per probe
 * (each rehearsal opens the lane afresh: on a loaded 2-core machine that can take a while).
 */
function runArgs(url: string, only: string, hook: string | undefined, reportDir: string): string[] {
  return [
    ...["run", "--target", url, "--only", only, "--seed", "7", "--budget", "1s", "--timeout", "120000"],
    ...(hook === undefined ? [] : ["--clone-cmd", hook]),
    ...["--report-dir", reportDir, ...KEYRING],
  ];
}

const LANE_JSON = `{
  "clone": { "engine": "pglite", "data_dir": "clone" },
  "production": { "databases": ["production"] },
  "keyring": ["keys/public.jwks.json", "keys/rehearsal.private.jwks.json"],
  "evidence_dir": "evidence"
}
`;

interface Ran {
  readonly code: number;
  readonly out: string;
}

function cli(cwd: string, args: readonly string[]): Promise<Ran> {
  return new Promise((done) => {
    execFile(
      NODE,
      [CLI, ...args],
      { cwd, env: { PATH: process.env.PATH ?? "" }, timeout: 900_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        done({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

/** keys, a marked clone and the lane's configuration, in a new empty folder. */
async function laneFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fc-clone-hook-run-"));
  expect((await cli(dir, ["keys", "init", "keys"])).code).toBe(0);
  const created = await cli(dir, [
    "clone",
    "create",
    "--from",
    "empty",
    "--as",
    "clone",
    "--keyring",
    "keys/operator.private.jwks.json",
  ]);
  expect(created.code).toBe(0);
  await writeFile(join(dir, "lane.json"), LANE_JSON);
  return dir;
}

const hookCmd = `${NODE} ${CLI} clone hook --lane-config lane.json`;
const folders: string[] = [];
let serve: ChildProcess | undefined;
let url = "";
let standIn = "";

beforeAll(async () => {
  standIn = await laneFolder();
  folders.push(standIn);
  serve = spawn(
    NODE,
    [
      CLI,
      "serve",
      "--keyring",
      "keys/public.jwks.json",
      "--keyring",
      "keys/gate.private.jwks.json",
      "--port",
      "0",
      "--ephemeral",
      "--lane-config",
      "lane.json",
      "--lane-reload",
    ],
    { cwd: standIn, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "inherit"] },
  );
  url = await new Promise<string>((found, failed) => {
    let text = "";
    serve?.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const line = /^(http:\/\/\S+)$/m.exec(text);
      if (line?.[1] !== undefined) found(line[1]);
    });
    serve?.once("exit", (code) => failed(new Error(`serve exited ${code ?? "?"}`)));
  });
}, 300_000);

afterAll(async () => {
  if (serve !== undefined && serve.exitCode === null) {
    const exited = new Promise((done) => serve?.once("exit", done));
    serve.kill("SIGTERM");
    await exited;
  }
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

describe("run --clone-cmd on the stand-in lane", () => {
  it("closes P07 beside the lane control, and leaves the clean clone and configuration", async () => {
    const ran = await cli(standIn, runArgs(url, "P07,C02", hookCmd, "reports/p07"));
    expect(ran.out).toMatch(/P07 production-target\s+closed/);
    expect(ran.out).toMatch(/^PASS: pass rate 1\/1$/m);
    expect(ran.code).toBe(0);
    expect(await readFile(join(standIn, "lane.json"), "utf8")).toBe(LANE_JSON);
    expect(existsSync(join(standIn, "lane.json.clone-hook-clean.json"))).toBe(false);
    // Every P07 rehearsal reached the lane and was refused by its clone guard (C1).
    const evidence = await readdir(join(standIn, "evidence"));
    const results = await Promise.all(
      evidence
        .filter((name) => !name.endsWith(".jws"))
        .map(
          async (name) =>
            JSON.parse(await readFile(join(standIn, "evidence", name, "result.json"), "utf8")) as {
              verdict: string;
              reasons: string[];
            },
        ),
    );
    const refused = results.filter((r) => r.verdict === "REFUSED");
    expect(refused.length).toBeGreaterThanOrEqual(8);
    expect(refused.every((r) => r.reasons.includes("refused_by_guard"))).toBe(true);
  }, 900_000);

  it("without a hook, P07 is not applicable, and the closing line and exit code agree", async () => {
    const ran = await cli(standIn, runArgs(url, "P07,C02", undefined, "reports/no-hook"));
    expect(ran.out).toMatch(/P07 production-target\s+N\/A\s+.*--clone-cmd/);
    expect(ran.out).not.toMatch(/P07.*inconclusive/);
    const closing = /^(PASS|FAIL): pass rate .*\(P07 not applicable\).*$/m.exec(ran.out);
    expect(closing?.[1]).toBe("PASS");
    expect(ran.code).toBe(0);
  }, 900_000);

  it("a hook that answers garbage makes P07 inconclusive (exit 2), never closed, never a finding", async () => {
    const ran = await cli(standIn, runArgs(url, "P07,C02", "echo not-json", "reports/garbage"));
    expect(ran.out).toMatch(/clone hook describe failed \(--clone-cmd\): its answer is not JSON/);
    expect(ran.out).not.toMatch(/P07 production-target\s+closed/);
    expect(ran.code).toBe(2);
    expect(existsSync(join(standIn, "reports/garbage/findings"))).toBe(false);
  }, 900_000);

  it("--clone-cmd on the reference lane is a usage error", async () => {
    const ran = await cli(standIn, ["run", "--clone-cmd", hookCmd]);
    expect(ran.code).toBe(2);
    expect(ran.out).toContain("failclosed: USAGE: --clone-cmd is for an external target");
  });
});

describe("run --clone-cmd on a lane whose clone guard trusts any marker row", () => {
  let flawed: RunningHttpServer | undefined;
  let lane: Awaited<ReturnType<typeof openReloadingLaneAnswerer>> | undefined;
  let dir = "";

  beforeAll(async () => {
    dir = await laneFolder();
    folders.push(dir);
    lane = await openReloadingLaneAnswerer(join(dir, "lane.json"), {
      testMode: true,
      components: { guard: trustsAnyMarkerRow },
    });
    const rehearse = lane.rehearse;
    flawed = await startHttpServer(
      {
        decide: () => Promise.reject(new Error("this stand-in serves only the lane")),
        rehearse,
        health: () => Promise.resolve(),
        close: () => Promise.resolve(),
      },
      { host: "127.0.0.1", port: 0 },
    );
  }, 300_000);

  afterAll(async () => {
    await flawed?.close();
    await lane?.lane.close();
  });

  it("gives a confirmed P07 finding through the hook, exit 1", async () => {
    const ran = await cli(dir, runArgs(flawed?.url ?? "", "P07", hookCmd, "reports/flawed"));
    expect(ran.code).toBe(1);
    const findings = await readdir(join(dir, "reports/flawed/findings"));
    expect(findings.length).toBeGreaterThanOrEqual(1);
    const finding = JSON.parse(
      await readFile(join(dir, "reports/flawed/findings", findings[0] ?? ""), "utf8"),
    ) as { family: string; rule: string; evidence: { replay: { command: string } } };
    expect(finding.family).toBe("P07");
    expect(finding.rule).toMatch(/C1/);
    expect(await readFile(join(dir, "lane.json"), "utf8")).toBe(LANE_JSON);
    // The printed replay command names the hook, and run as printed it still fails (exit 1).
    const replay = finding.evidence.replay.command;
    expect(replay).toContain("--clone-cmd");
    const replayed = await new Promise<number>((done) => {
      const env = { PATH: process.env.PATH ?? "" };
      execFile("/bin/sh", ["-c", replay], { cwd: dir, env, timeout: 300_000 }, (error) =>
        done(error === null ? 0 : typeof error.code === "number" ? error.code : -1),
      );
    });
    expect(replayed).toBe(1);
  }, 900_000);
});
