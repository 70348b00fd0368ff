/**
 * The command line run in this process, with its output captured: for tests of what a command
 * prints and returns before any work starts (usage, checks of flags, files and environment).
 */
import type { Io } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/run-cli.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cliInProcess(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdin: () => Promise.resolve(Buffer.alloc(0)),
    env,
  };
  const code = await runCli([...args], io);
  return { code, stdout, stderr };
}
