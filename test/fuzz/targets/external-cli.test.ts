/**
 * External targets through the real command line (`node dist/src/cli/main.js`, built first), each
 * from an empty temporary folder: a target that is down ends the run with TARGET_DOWN and no
 * findings; a target that crashes on one probe only gives a confirmed F4 finding that records its
 * target and replays as printed; a target that stops answering mid-run is inconclusive, never a
 * finding; replay fires at the recorded target, cannot judge a target that is down, refuses the
 * reference lane for an external finding, and refuses an edited finding.
 * Each test runs the command line several times, children included: a loaded machine gets 10 min.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../../src/fuzz/report-types.js";
import type { Finding } from "../../../src/fuzz/types.js";

const exec = promisify(execFile);
const CLI = resolve("dist/src/cli/main.js");
const CHILD = resolve("test/fuzz/targets/fixtures/deny-child.ts");
const HTTP = resolve("test/fuzz/targets/fixtures/deny-http.ts");
/** The fixtures are TypeScript, run by tsx found from here (the tests run in empty folders). */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** P01 makes over-long strings of one letter: the fixtures crash on those only. */
const CRASH_ON = "yyyyyyyyyyyyyyyy";

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
      timeout: 200_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Splits a printed command line into words, undoing the single quotes replayLines adds. */
function words(line: string): string[] {
  const found: string[] = [];
  for (const match of line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) {
    found.push(match[1] === undefined ? (match[2] ?? "") : match[1].replaceAll("'\\''", "'"));
  }
  return found;
}

let root: string;
const keyring = ["owner", "operator", "gate", "rehearsal"].flatMap((role) => [
  "--keyring",
  `keys/${role}.private.jwks.json`,
]);

async function emptyFolderWithKeys(): Promise<string> {
  const dir = await mkdtemp(join(root, "case-"));
  const made = await cli(dir, ["keys", "init", "keys"]);
  expect(made.code).toBe(0);
  return dir;
}

async function onlyFinding(reportDir: string): Promise<{ path: string; finding: Finding }> {
  const names = await readdir(join(reportDir, "findings"));
  expect(names).toHaveLength(1);
  const path = join(reportDir, "findings", names[0] ?? "");
  return { path, finding: JSON.parse(await readFile(path, "utf8")) as Finding };
}

function startHttp(env: Record<string, string>): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ["--import", TSX, HTTP], {
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return new Promise((resolve, reject) => {
    proc.once("error", reject);
    proc.stdout.once("data", (chunk: Buffer) => resolve({ url: chunk.toString("utf8").trim(), proc }));
  });
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once("exit", () => resolve());
    proc.kill("SIGTERM");
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "fc-external-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("a target that is down", () => {
  it("a dead HTTP target: exit 2, one TARGET_DOWN line naming /healthz, no report and no findings", async () => {
    const dir = await emptyFolderWithKeys();
    const ran = await cli(dir, ["run", "--target", "http://127.0.0.1:1", ...keyring]);
    expect(ran.code).toBe(2);
    expect(ran.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^failclosed: TARGET_DOWN: .*http:\/\/127\.0\.0\.1:1\/healthz.*ECONNREFUSED/),
    ]);
    expect(await readdir(dir)).toEqual(["keys"]);
  }, 600_000);

  it("a child that exits at once: exit 2, TARGET_DOWN, no report", async () => {
    const dir = await emptyFolderWithKeys();
    const ran = await cli(dir, ["run", "--target-cmd", "true", ...keyring]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^failclosed: TARGET_DOWN: .*child true: the child ended \(exit code 0\)/);
    expect(await readdir(dir)).toEqual(["keys"]);
  }, 600_000);

  it("--health-timeout: a child that never answers is down after the time given, not the default 60 s", async () => {
    const dir = await emptyFolderWithKeys();
    const ran = await cli(dir, ["run", "--target-cmd", "sleep 120", "--health-timeout", "2s", ...keyring]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^failclosed: TARGET_DOWN: .*child sleep 120: no answer line within 2000 ms/);
    expect(await readdir(dir)).toEqual(["keys"]);
  }, 600_000);

  it("--health-timeout is a usage error on the reference lane and when it is not a duration", async () => {
    const dir = await emptyFolderWithKeys();
    const onReference = await cli(dir, ["run", "--health-timeout", "2m"]);
    expect(onReference.code).toBe(2);
    expect(onReference.stderr).toMatch(/USAGE: --health-timeout is for an external target/);
    const notDuration = await cli(dir, [
      "run",
      "--target-cmd",
      "true",
      "--health-timeout",
      "soon",
      ...keyring,
    ]);
    expect(notDuration.code).toBe(2);
    expect(notDuration.stderr).toMatch(/USAGE: --health-timeout takes a duration like 90s/);
    expect(await readdir(dir)).toEqual(["keys"]);
  }, 600_000);

  it("a target that answers, then cannot be brought back: inconclusive (exit 2), never a finding", async () => {
    const dir = await emptyFolderWithKeys();
    const { url, proc } = await startHttp({ DIE_AFTER: "5" });
    try {
      const ran = await cli(dir, [
        ...["run", "--only", "P01", "--seed", "3", "--report-dir", "out"],
        ...["--target", url, ...keyring],
      ]);
      expect(ran.code).toBe(2);
      const report = JSON.parse(await readFile(join(dir, "out", "report.json"), "utf8")) as Report;
      expect(report.totals.findings).toBe(0);
      expect(report.families.map((f) => f.status)).toEqual([
        { kind: "inconclusive", why: expect.stringContaining("could not be brought back") as string },
      ]);
      await expect(readdir(join(dir, "out", "findings"))).rejects.toThrow();
    } finally {
      await stop(proc);
    }
  }, 600_000);
});

describe("a child target that crashes on one probe only", () => {
  it("is a confirmed F4 finding that records its target, replays as printed, and cannot be replayed elsewhere", async () => {
    const dir = await emptyFolderWithKeys();
    const command = `${process.execPath} --import ${TSX} ${CHILD}`;
    const ran = await cli(
      dir,
      [
        "run",
        "--only",
        "P01",
        "--runs",
        "200",
        "--seed",
        "3",
        "--report-dir",
        "out",
        "--target-cmd",
        command,
        ...keyring,
      ],
      { CRASH_ON },
    );
    expect(ran.code).toBe(1);
    const { path, finding } = await onlyFinding(join(dir, "out"));
    expect(finding).toMatchObject({ family: "P01", oracle: "structured", confirmation: "confirmed" });
    expect(finding.evidence?.target).toEqual({ kind: "child", command });
    expect(finding.evidence?.answer).toEqual({ kind: "crashed", detail: "the child ended (exit code 70)" });
    expect(finding.evidence?.keyring.map((k) => k.role).sort()).toEqual([
      "gate",
      "operator",
      "owner",
      "rehearsal",
    ]);
    expect(finding.evidence?.seals.length).toBeGreaterThan(0);
    expect(finding.evidence?.replay.curl).toBeUndefined();
    const printed = finding.evidence?.replay.command ?? "";
    expect(printed).toContain(`replay out/findings/${finding.id}.json --target-cmd`);
    expect(ran.stderr).toContain(printed);
    expect(await readFile(join(dir, "out", "summary.md"), "utf8")).toContain(printed);

    // Exactly as printed, from the folder the run started in: still fails.
    const [, ...args] = words(printed);
    expect(args[0]).toMatch(/main\.js$/);
    const again = await cli(dir, args.slice(1), { CRASH_ON });
    expect([again.code, again.stdout]).toEqual([1, expect.stringContaining("still fails: structured (F4)")]);
    // Fixed target: exit 0.
    expect((await cli(dir, args.slice(1))).code).toBe(0);
    // The target down: it cannot judge (exit 2), never "fixed".
    const down = await cli(dir, args.slice(1), { DOWN: "1" });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("could not judge the replay: the target does not answer");
    // Without the keyring, or at the reference lane: refused.
    const noKeys = await cli(dir, ["replay", path]);
    expect([noKeys.code, noKeys.stderr]).toEqual([
      2,
      expect.stringContaining("give its test keyring with --keyring"),
    ]);
    const reference = await cli(dir, ["replay", path, "--reference"]);
    expect([reference.code, reference.stderr]).toEqual([
      2,
      expect.stringContaining("the reference lane cannot judge it"),
    ]);
    // Another target: a warning says so.
    const elsewhere = await cli(dir, ["replay", path, "--target-cmd", `${command} # other`, ...keyring], {
      CRASH_ON,
    });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(
      /^warning: finding .* was found on the child .*; replaying it at the child/m,
    );

    // --health-timeout: as printed plus a longer time still fails; a target that never answers is
    // down after the time given; on the reference lane it is a usage error.
    const patient = await cli(dir, [...args.slice(1), "--health-timeout", "2m"], { CRASH_ON });
    expect(patient.code).toBe(1);
    const silent = await cli(dir, [
      "replay",
      path,
      "--target-cmd",
      "sleep 120",
      "--health-timeout",
      "2s",
      ...keyring,
    ]);
    expect(silent.code).toBe(2);
    expect(silent.stderr).toContain("no answer line within 2000 ms");
    const onReference = await cli(dir, ["replay", path, "--reference", "--health-timeout", "2s"]);
    expect([onReference.code, onReference.stderr]).toEqual([
      2,
      expect.stringContaining("USAGE: --health-timeout is for an external target"),
    ]);

    // An edited finding (bytes changed under the same id) is refused.
    const edited = { ...finding, bytesB64: Buffer.from("{}").toString("base64") };
    await writeFile(join(dir, "edited.json"), JSON.stringify(edited));
    const refused = await cli(dir, ["replay", "edited.json", ...keyring]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /DOCUMENT_INVALID: edited\.json: the finding's id .* does not match its family and bytes/,
    );
  }, 600_000);
});

describe("an HTTP target that crashes on one probe only", () => {
  // Two sub-seeds in flight over one HTTP gate: the crash must be pinned on the bytes that crash
  // it alone (attribution.ts), never on a sibling whose connection broke at the same moment.
  it("is a finding with a curl line; replay at it fails (1), with it stopped cannot judge (2)", async () => {
    const dir = await emptyFolderWithKeys();
    const { url, proc } = await startHttp({ CRASH_ON });
    let finding: Finding;
    try {
      const ran = await cli(dir, [
        ...["run", "--only", "P01", "--runs", "200", "--seed", "3", "--report-dir", "out"],
        ...["--target", url, ...keyring],
      ]);
      expect(ran.code).toBe(1);
      ({ finding } = await onlyFinding(join(dir, "out")));
      expect(finding.evidence?.target).toEqual({ kind: "http", url });
      expect(finding.evidence?.replay.curl).toMatch(
        new RegExp(
          `\\| base64 -d \\| curl -sS -i -H 'content-type: application/json' --data-binary @- ${url}/v1/decide$`,
        ),
      );
      expect(await readFile(join(dir, "out", "report.html"), "utf8")).toContain("seal 1 decoded");
      const [, , ...args] = words(finding.evidence?.replay.command ?? "");
      const replayed = await cli(dir, args);
      expect(Buffer.from(finding.bytesB64, "base64").toString("latin1")).toContain(CRASH_ON);
      expect([replayed.code, finding.reason, replayed.stdout, replayed.stderr]).toEqual([
        1,
        finding.reason,
        expect.stringContaining("still fails"),
        "",
      ]);
    } finally {
      await stop(proc);
    }
    const [, , ...args] = words(finding.evidence?.replay.command ?? "");
    const down = await cli(dir, args);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("ECONNREFUSED");
  }, 600_000);
});
