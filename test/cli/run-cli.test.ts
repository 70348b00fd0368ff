/**
 * The command line's dispatch, in process: an unknown command, asked for by name or through
 * `help`, is a usage error (exit 2) for any name; a known one runs or shows its help (exit 0).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cliInProcess as cli } from "../support/cli-in-process.js";
import { COMMANDS } from "../../src/cli/commands.js";

const unknownName = fc
  .string({ minLength: 1, maxLength: 20 })
  .filter((name) => !COMMANDS.has(name) && !name.startsWith("-") && name !== "help");

describe("runCli dispatch", () => {
  it("any unknown command, directly or through help, is USAGE with exit 2 (must fire)", async () => {
    await fc.assert(
      fc.asyncProperty(unknownName, fc.boolean(), async (name, viaHelp) => {
        const result = await cli(viaHelp ? ["help", name] : [name]);
        expect(result.code).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr.startsWith("failclosed: USAGE: unknown command ")).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it("help for every known command prints its usage and exits 0 (must stay quiet)", async () => {
    for (const [name, command] of COMMANDS) {
      const result = await cli(["help", name]);
      expect(result, name).toEqual({ code: 0, stdout: `${command.usage}\n`, stderr: "" });
    }
    expect((await cli(["--help"])).code).toBe(0);
  });
});
