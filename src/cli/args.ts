import { parseArgs, type ParseArgsConfig } from "node:util";
import { FailclosedError } from "../kernel/errors.js";
import { SCRATCH_ENV } from "../kernel/scratch-dir.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>
>;

/** node:util parseArgs in strict mode, with its errors turned into USAGE errors. */
export function parseFlags<O extends Options>(args: readonly string[], options: O, usage: string): Parsed<O> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new FailclosedError("USAGE", `${message}\n\n${usage}`, { cause });
  }
}

export function usageError(message: string, usage: string): FailclosedError {
  return new FailclosedError("USAGE", `${message}\n\n${usage}`);
}

/** FAILCLOSED_TEST_MODE accepts 1/true/0/false/empty; anything else is a usage error, not a guess. */
export function testModeFrom(
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (flag === true) return true;
  const raw = env["FAILCLOSED_TEST_MODE"];
  if (raw === undefined || raw === "" || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new FailclosedError("USAGE", "FAILCLOSED_TEST_MODE must be 1, true, 0, false or empty");
}

/** The --scratch-dir lines of a command's usage, its explanation starting at column `column`. */
export function scratchUsage(column: number): string {
  const pad = " ".repeat(column);
  const flag = "  --scratch-dir DIR";
  const first = flag.length < column ? flag.padEnd(column) : `${flag}\n${pad}`;
  return [
    `${first}where the reference lane's throwaway clones, snapshots and ledger go`,
    `${pad}(or FAILCLOSED_SCRATCH_DIR; default /dev/shm when it is a tmpfs with`,
    `${pad}1 GiB free, else the OS temporary directory; docs/operating.md)`,
  ].join("\n");
}

/** --scratch-dir, else FAILCLOSED_SCRATCH_DIR, as a RunOptions fragment; checked by the API. */
export function scratchDirFrom(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { scratchDir?: string } {
  const chosen = flag ?? env[SCRATCH_ENV];
  return chosen === undefined ? {} : { scratchDir: chosen };
}
