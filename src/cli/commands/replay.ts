import { resolve } from "node:path";
import { checkInputDir } from "../../kernel/directories.js";
import { assertNever } from "../../kernel/result.js";
import { parseDuration } from "../../fuzz/engine/budget.js";
import { assertFindingIntact, readFindingFile } from "../../fuzz/report/index.js";
import { replayExitCode, replayFailclosed, type TargetSpec } from "../../fuzz/run/index.js";
import { parseFlags, scratchDirFrom, scratchUsage, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const REPLAY_USAGE = `Usage: failclosed replay FINDING.json [--keyring K...] [--target URL | --target-cmd CMD | --reference]
                         [--clone-cmd CMD] [--regenerate [--corpus DIR]]

Fires a saved finding's exact bytes again, under the conditions it was found in (its keyring,
its clock), at the target the finding records: the reference lane, or the HTTP gate or child
it was found on (give that target's test keyring with --keyring, as the command printed with
the finding does). A finding whose id does not match its bytes (an edited file) is refused.
  --target URL, --target-cmd CMD
                 fire at another external target instead (a warning says so)
  --reference    fire at the reference lane in process; refused for a finding made on an
                 external target (its seals are the user's, the reference lane cannot judge it)
  --keyring K    the external target's test keyring (repeat for several files)
  --health-timeout D
                 time the external target has to answer its health check (as for run)
  --clone-cmd CMD
                 the external lane's clone hook, for a P07 finding (as for run; without it
                 a P07 finding on an external lane cannot be judged: exit 2)
  --regenerate   rebuild the bytes from the finding's seed and path instead (warns when the
                 versions or the seed corpus differ from the finding's, since the bytes may
                 then differ too)
  --corpus DIR   the seed corpus to regenerate with (default: the corpora/ shipped with failclosed)
${scratchUsage(17)}
Exit 1 if it still fails, 0 if it is fixed, 2 if it could not be judged (the target does not
answer) or on bad usage and refused findings.`;

export async function replayCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      regenerate: { type: "boolean" },
      corpus: { type: "string" },
      target: { type: "string" },
      "target-cmd": { type: "string" },
      keyring: { type: "string", multiple: true },
      reference: { type: "boolean" },
      "clone-cmd": { type: "string" },
      "health-timeout": { type: "string" },
      "scratch-dir": { type: "string" },
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
  const external = url !== undefined || command !== undefined;
  if (values.reference === true && (external || keyring !== undefined))
    throw usageError("--reference takes neither a target nor a keyring", REPLAY_USAGE);
  if (external && keyring === undefined)
    throw usageError("--target and --target-cmd need the target's test keyring (--keyring)", REPLAY_USAGE);
  if (values["clone-cmd"] !== undefined && values.reference === true)
    throw usageError(
      "--clone-cmd is for an external target; the reference lane builds its own clones",
      REPLAY_USAGE,
    );
  if (values.corpus !== undefined && values.regenerate !== true)
    throw usageError("--corpus goes with --regenerate (the exact bytes need no seeds)", REPLAY_USAGE);
  const target: TargetSpec | undefined =
    url !== undefined
      ? { kind: "http", url, keyring: keyring ?? [] }
      : command !== undefined
        ? { kind: "child", command, keyring: keyring ?? [] }
        : values.reference === true
          ? { kind: "reference" }
          : undefined;
  const healthTimeout = values["health-timeout"];
  if (healthTimeout !== undefined && values.reference === true)
    throw usageError("--health-timeout is for an external target, not --reference", REPLAY_USAGE);
  const healthTimeoutMs =
    healthTimeout === undefined ? undefined : parseDuration(healthTimeout, "--health-timeout");
  const path = positionals[0] ?? "";
  // Every path the user gave is checked before any work: a typo'd corpus is not a bad finding.
  if (values.corpus !== undefined) await checkInputDir(resolve(values.corpus), "--corpus");
  const finding = await readFindingFile(path);
  assertFindingIntact(finding, path);
  const result = await replayFailclosed({
    finding,
    ...(target === undefined ? {} : { target }),
    ...(keyring === undefined ? {} : { keyring }),
    ...(values["clone-cmd"] === undefined ? {} : { cloneCmd: values["clone-cmd"] }),
    ...(healthTimeoutMs === undefined ? {} : { healthTimeoutMs }),
    ...(values.regenerate === true ? { regenerate: true } : {}),
    ...(values.corpus === undefined ? {} : { corpusDir: values.corpus }),
    ...scratchDirFrom(values["scratch-dir"], io.env),
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
