import { isFailclosedError } from "../kernel/errors.js";
import { COMMANDS } from "./commands.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { mainUsage } from "./help.js";
import type { Io } from "./io.js";
import { packageVersion } from "./version.js";

/** The command line as a function: argv in, exit code out; everything printed goes through io. */
export async function runCli(argv: readonly string[], io: Io): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // No command is a usage error like any other: on stderr, with its code, exit 2.
    io.stderr(`failclosed: USAGE: a command is required\n\n${mainUsage(packageVersion())}\n`);
    return EXIT.USAGE;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    const command = topic === undefined ? undefined : COMMANDS.get(topic);
    if (topic !== undefined && command === undefined) return unknownCommand(topic, io);
    io.stdout(`${command?.usage ?? mainUsage(packageVersion())}\n`);
    return EXIT.OK;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(`${packageVersion()}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS.get(name);
  if (command === undefined) return unknownCommand(name, io);
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (isFailclosedError(error)) {
      io.stderr(`failclosed: ${error.code}: ${error.message}\n`);
      return error.code === "INTERNAL" ? EXIT.INTERNAL : EXIT.USAGE;
    }
    io.stderr(`failclosed: INTERNAL: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.INTERNAL;
  }
}

/** `failclosed nosuch` and `failclosed help nosuch` alike: a usage error, never a quiet exit 0. */
function unknownCommand(name: string, io: Io): ExitCode {
  io.stderr(`failclosed: USAGE: unknown command '${name}'\n\n${mainUsage(packageVersion())}\n`);
  return EXIT.USAGE;
}
