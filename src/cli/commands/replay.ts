import { assertNever } from "../../kernel/result.js";
import { readFindingFile } from "../../fuzz/report/index.js";
import { replayExitCode, replayFailclosed, type TargetSpec } from "../../fuzz/run/index.js";
import { parseFlags, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const REPLAY_USAGE = `Usage: failclosed replay FINDING.json [--regenerate] [--target URL | --target-cmd CMD --keyring K]

Fires a saved finding's exact bytes again, under the conditions it was found in (the keyring
derived from its salt, its clock), at the reference lane or at the target given.
Exit 1 if it still fails, 0 if it is fixed, 2 if it could not be judged or on bad usage.
  --regenerate   rebuild the bytes from the finding's seed and path instead (warns when the
                 versions or the seed corpus differ from the finding's, since the bytes may
                 then differ too)
  --corpus DIR   the seed corpus to regenerate with (default: the corpora/ shipped with failclosed)`;

export async function replayCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      regenerate: { type: "boolean" },
      corpus: { type: "string" },
      target: { type: "string" },
      "target-cmd": { type: "string" },
      keyring: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    REPLAY_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${REPLAY_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("exactly one FINDING.json is required", REPLAY_USAGE);
  const { target: url, "target-cmd": command, keyring } = values;
  if (url !== undefined && command !== undefined)
    throw usageError("--target and --target-cmd exclude each other", REPLAY_USAGE);
  if ((url !== undefined || command !== undefined) !== (keyring !== undefined)) {
    throw usageError(
      "--keyring goes with --target or --target-cmd (the external target's test keyring)",
      REPLAY_USAGE,
    );
  }
  if (values.corpus !== undefined && values.regenerate !== true)
    throw usageError("--corpus goes with --regenerate (the exact bytes need no seeds)", REPLAY_USAGE);
  const target: TargetSpec | undefined =
    url !== undefined
      ? { kind: "http", url, keyring: keyring ?? [] }
      : command !== undefined
        ? { kind: "child", command, keyring: keyring ?? [] }
        : undefined;
  const finding = await readFindingFile(positionals[0] ?? "");
  const result = await replayFailclosed({
    finding,
    ...(target === undefined ? {} : { target }),
    ...(values.regenerate === true ? { regenerate: true } : {}),
    ...(values.corpus === undefined ? {} : { corpusDir: values.corpus }),
    warn: (message) => io.stderr(`warning: ${message}\n`),
    note: (message) => io.stderr(`${message}\n`),
  });
  switch (result.kind) {
    case "fail":
      io.stdout(`still fails: ${result.oracle} (${result.rule}): ${result.reason}\n`);
      break;
    case "pass":
      io.stdout(`fixed: ${finding.family} ${finding.id} no longer fails\n`);
      break;
    case "error":
      io.stderr(`could not judge the replay: ${result.detail}\n`);
      break;
    default:
      assertNever(result, "replay result");
  }
  return replayExitCode(result);
}
