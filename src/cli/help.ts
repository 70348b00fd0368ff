import { COMMANDS } from "./commands.js";

export function mainUsage(version: string): string {
  const width = Math.max(...[...COMMANDS.keys()].map((name) => name.length));
  const lines = [...COMMANDS].map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `failclosed ${version}: proves a production-change gate fails closed

Usage: failclosed <command> [options]

Commands:
${lines.join("\n")}

Run 'failclosed <command> --help' for a command's options.

Exit codes: 0 ok, 1 negative answer (invalid, mismatch, finding), 2 usage or bad input,
3 canary in failclosed's own output, 4 internal error.
Errors print as 'failclosed: CODE: message' with a stable CODE; a user error exits 2.
Progress and verdicts are in colour on a terminal; NO_COLOR=1 turns colour off.
Saved failures live in ./failclosed/corpus (the project's corpus); see 'failclosed corpus --help'.`;
}
