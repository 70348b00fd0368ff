/**
 * The built command line (`node dist/src/cli/main.js`, after `npm run build`) run as a user runs
 * it: a child process in a working directory of the test's choosing, usually an empty one.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const CLI = resolve("dist/src/cli/main.js");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
}

/** Runs the CLI in `cwd` and never throws on a non-zero exit. */
export async function cliIn(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  requireBuild();
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * Runs the CLI with the read end of stdout (and, if asked, stderr) closed before it writes a
 * byte: what `failclosed run | head -0` does to it. Returns the exit code and what stderr held.
 */
export async function cliWithClosedReader(
  cwd: string,
  args: readonly string[],
  close: { stdout: boolean; stderr: boolean },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  requireBuild();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Closed at once, synchronously after the spawn: the child cannot have written yet.
  if (close.stdout) child.stdout.destroy();
  if (close.stderr) child.stderr.destroy();
  let stderr = "";
  if (!close.stderr) child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString("utf8")));
  return new Promise((done, fail) => {
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, stderr }));
  });
}

/** An empty temporary folder to run in, and its removal. */
export async function emptyFolder(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(resolve(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `failclosed: CODE: message` on the first line of stderr, as every user error prints. */
export const USER_ERROR = (code: string): RegExp => new RegExp(`^failclosed: ${code}: \\S.*\\n`);
