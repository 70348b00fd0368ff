/**
 * The command line's end of the proof, run as users run it (the built CLI, `npm test` builds dist
 * first): an interrupted run exits inconclusive with a valid, partial report that keeps every
 * family that ended before the signal; and a run against a broken child gate exits 1 with its
 * findings written one file each.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReport, validateFinding } from "../../../src/fuzz/report/index.js";
import type { FamilyStatus } from "../../../src/fuzz/types.js";
import { makeFixtureKeyring, writeKeyringFiles } from "../../fixtures/broken-targets/keyring.js";
import { REFERENCE_RUN_FAMILIES } from "../../support/families.js";
import { SEED } from "./support.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = join(REPO_ROOT, "dist", "src", "cli", "main.js");
const CHILD_FIXTURE = "test/fixtures/broken-targets/child.ts";
/** Every family the CLI loads from dist/probes: an interrupted report still accounts for each. */
const ALL_FAMILIES = REFERENCE_RUN_FAMILIES;
/** SPEC-stable exit codes (src/cli/exit-codes.ts): 1 a finding, 2 inconclusive. */
const EXIT_FINDING = 1;
const EXIT_INCONCLUSIVE = 2;
const STOP_WITHIN_MS = 20_000;
/** Start-up, a family ending, the stop: well past vitest's default 60 s on two busy cores. */
const CLI_TEST_MS = 330_000;

interface Cli {
  readonly proc: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Cli[] = [];
const tmpDirs: string[] = [];

/**
 * A bare environment (as the fixtures give their children): the CLI must not inherit vitest's
 * worker variables. PATH leads with this node, which the child target's `node` must resolve to.
 */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: [dirname(process.execPath), process.env["PATH"] ?? "/usr/bin:/bin"].join(delimiter),
  };
  if (process.env["TMPDIR"] !== undefined) env["TMPDIR"] = process.env["TMPDIR"];
  return env;
}

function startCli(args: readonly string[]): Cli {
  // Its own process group, so afterAll can end the CLI with anything it started.
  const proc = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: bareEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const output = { stdout: "", stderr: "" };
  proc.stdout?.setEncoding("utf8").on("data", (text: string) => (output.stdout += text));
  proc.stderr?.setEncoding("utf8").on("data", (text: string) => (output.stderr += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const cli = { proc, output, exited };
  started.push(cli);
  return cli;
}

async function tmpDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `failclosed-proof-${label}-`));
  tmpDirs.push(dir);
  return dir;
}

/** Resolves when `ready` holds, polling; rejects with the output so far when it never does. */
async function waitFor(cli: Cli, ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (cli.proc.exitCode !== null || cli.proc.signalCode !== null)
      throw new Error(`the CLI ended before ${what}:\n${cli.output.stderr}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${cli.output.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The exit, or a timeout marker once `ms` have passed. */
function exitWithin(
  cli: Cli,
  ms: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | "timeout"> {
  return Promise.race([
    cli.exited,
    new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms).unref()),
  ]);
}

interface Ended {
  readonly family: string;
  readonly status: FamilyStatus["kind"];
  readonly runs: number;
}

/** The console's family-end lines (a log, not a TTY): `C01 gate-control (control): closed, 40/40 runs, …`. */
function endedFamilies(log: string): Ended[] {
  const states: Readonly<Record<string, FamilyStatus["kind"]>> = {
    closed: "closed",
    FINDING: "finding",
    INCONCLUSIVE: "inconclusive",
  };
  return [
    ...log.matchAll(/^([A-Z][A-Z0-9]*) [^:\n]*: (closed|FINDING|INCONCLUSIVE), (\d+)\/\d+ runs, /gm),
  ].map((m) => ({ family: m[1] ?? "", status: states[m[2] ?? ""] ?? "inconclusive", runs: Number(m[3]) }));
}

beforeAll(() => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run build\` (npm test builds it first)`);
});

afterAll(async () => {
  for (const cli of started) {
    if (cli.proc.exitCode === null && cli.proc.signalCode === null && cli.proc.pid !== undefined) {
      try {
        process.kill(-cli.proc.pid, "SIGKILL");
      } catch {
        // Already gone between the check and the kill.
      }
      await cli.exited;
    }
  }
  await Promise.all(tmpDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each(["SIGINT", "SIGTERM"] as const)("failclosed run stopped by %s", (signal) => {
  it(
    "exits inconclusive with a valid partial report keeping every family that ended",
    async () => {
      const dir = await tmpDir(signal.toLowerCase());
      const cli = startCli(["run", "--budget", "60s", "--seed", String(SEED), "--report-dir", dir]);
      // Controls run first and end within seconds: wait for one, so the report has a family to keep.
      // Minutes beside other test files: the first families end when their floors do.
      await waitFor(cli, () => endedFamilies(cli.output.stderr).length > 0, 240_000, "family ending");
      const before = endedFamilies(cli.output.stderr);
      const sentAt = Date.now();
      cli.proc.kill(signal);

      const exit = await exitWithin(cli, STOP_WITHIN_MS);
      expect(exit).toEqual({ code: EXIT_INCONCLUSIVE, signal: null });
      expect(Date.now() - sentAt).toBeLessThan(STOP_WITHIN_MS);
      expect(cli.output.stderr).toContain(`${signal}: stopping after the probes in flight`);
      expect(cli.output.stdout).toContain(`report ${dir}\n`);

      const report = await readReport(join(dir, "report.json"));
      expect(report.interrupted).toBe(true);
      expect(report.seed).toBe(SEED);
      expect(report.families.map((r) => r.family).sort()).toEqual(ALL_FAMILIES);
      for (const ended of before) {
        const result = report.families.find((r) => r.family === ended.family);
        expect({ family: result?.family, status: result?.status.kind, runs: result?.runs }).toEqual(ended);
      }
      // What was cut off says so, and is never passed as closed.
      expect(
        report.families.some((r) => r.status.kind === "inconclusive" && r.status.why === "interrupted"),
      ).toBe(true);
    },
    CLI_TEST_MS,
  );
});

describe("failclosed run against a broken child gate", () => {
  let keyringPath: string;
  let removeKeyring: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // Every role's private key in one JWK Set: the fuzzer seals with it, the child's gate takes
    // its share of it (child.ts accepts any number of --keyring JWK Set files).
    const keyring = await makeFixtureKeyring();
    const privateSet = keyring.sets[0];
    if (privateSet === undefined) throw new Error("the fixture keyring has no private set");
    const files = await writeKeyringFiles([privateSet]);
    removeKeyring = files.remove;
    keyringPath = files.paths[0] ?? "";
  });

  afterAll(async () => {
    await removeKeyring?.();
  });

  it(
    "exits 1 and writes each finding to findings/<id>.json",
    async () => {
      const dir = await tmpDir("cli-broken");
      const targetCmd = `node --import tsx ${CHILD_FIXTURE} allowsForged --keyring '${keyringPath}'`;
      const cli = startCli([
        "run",
        "--target-cmd",
        targetCmd,
        "--keyring",
        keyringPath,
        "--only",
        "P02,C01",
        "--runs",
        "30",
        "--budget",
        "60s",
        "--seed",
        String(SEED),
        "--report-dir",
        dir,
      ]);
      const exit = await exitWithin(cli, 90_000);
      expect(exit, cli.output.stderr).toEqual({ code: EXIT_FINDING, signal: null });

      const report = await readReport(join(dir, "report.json"));
      expect(report.interrupted).toBe(false);
      const p02 = report.families.find((r) => r.family === "P02");
      const c01 = report.families.find((r) => r.family === "C01");
      expect(p02?.status).toEqual({ kind: "finding" });
      expect(p02?.findings.map((f) => ({ oracle: f.oracle, confirmation: f.confirmation }))).toEqual([
        { oracle: "verdict", confirmation: "confirmed" },
      ]);
      // 30 runs is below C01's minimum: honest about it, and not a finding (the gate allows).
      expect(c01?.findings).toEqual([]);
      expect(c01?.status).toEqual({
        kind: "inconclusive",
        why: `--runs 30 is below this family's minimum of ${c01?.minRuns ?? 0} runs, so it cannot close: leave --runs out (each family then runs its minimum) or raise it`,
      });

      const findings = report.families.flatMap((r) => r.findings);
      expect((await readdir(join(dir, "findings"))).sort()).toEqual(
        findings.map((f) => `${f.id}.json`).sort(),
      );
      for (const finding of findings) {
        const saved = validateFinding(
          JSON.parse(await readFile(join(dir, "findings", `${finding.id}.json`), "utf8")),
        );
        expect(saved).toEqual({ ok: true, value: finding });
      }
    },
    CLI_TEST_MS,
  );
});
