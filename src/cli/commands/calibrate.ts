import { resolve } from "node:path";
import { FailclosedError } from "../../kernel/errors.js";
import { parseSeed } from "../../fuzz/engine/seeds.js";
import {
  calibrate,
  calibrated,
  CALIBRATE_DEFAULTS,
  formatFlaw,
  formatVerdict,
  writeCalibration,
} from "../../fuzz/calibrate/index.js";
import { parseFlags, scratchDirFrom, scratchUsage, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const CALIBRATE_USAGE = `Usage: failclosed calibrate [options]

Plants each flaw of the calibration catalogue in the reference lane (a flawed gate or lane part,
or a flawed HTTP or JSON-lines transport) and runs the families that should find it, each
stopping at its first confirmed finding. Reports per flaw whether it was found, by which family
and oracle, and the time to first detection (docs/calibration.md, with measured wall times).
The release gate takes its report with 'failclosed gate --calibration FILE'.
  --seed N          fast-check seed, 0 to 2147483647 (random unless given; always printed first)
  --runs N          runs per family (default: each family's minimum); a family that has not
                    found its flaw by then leaves it unfound
  --only IDS, --skip IDS
                    family ids, comma-separated: a disabled family finds nothing, so its flaws
                    go unfound and the calibration fails
  --flaws IDS       only these flaws (comma-separated ids); the release gate still requires
                    every flaw of the catalogue
  --timeout MS      per probe (default ${CALIBRATE_DEFAULTS.timeoutMs}; a flaw may ask for more)
  --out FILE        where the report goes (default reports/calibration.json)
${scratchUsage(20)}
Exit codes: 0 every flaw found, 1 a flaw went unfound (the fuzzer is blind to it), 2 usage.`;

function ids(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(",").filter((id) => id !== "");
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < 1)
    throw new FailclosedError("USAGE", `${flag} takes a positive whole number`);
  return Number(text);
}

export async function calibrateCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      seed: { type: "string" },
      runs: { type: "string" },
      only: { type: "string" },
      skip: { type: "string" },
      flaws: { type: "string" },
      timeout: { type: "string" },
      out: { type: "string" },
      "scratch-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    CALIBRATE_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${CALIBRATE_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw usageError("calibrate takes no positional arguments", CALIBRATE_USAGE);
  const seed = values.seed === undefined ? undefined : parseSeed(values.seed);
  const runs = positiveInteger(values.runs, "--runs");
  const timeoutMs = positiveInteger(values.timeout, "--timeout");
  const only = ids(values.only);
  const skip = ids(values.skip);
  const flaws = ids(values.flaws);
  const out = resolve(values.out ?? "reports/calibration.json");
  const controller = new AbortController();
  const stop = (): void => controller.abort("SIGINT");
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const report = await calibrate({
      ...(seed === undefined ? {} : { seed }),
      ...(runs === undefined ? {} : { runs }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(only === undefined ? {} : { only }),
      ...(skip === undefined ? {} : { skip }),
      ...(flaws === undefined ? {} : { flaws }),
      ...scratchDirFrom(values["scratch-dir"], io.env),
      signal: controller.signal,
      onStart: (chosen) => io.stdout(`seed ${chosen} (repeat this calibration with --seed ${chosen})\n`),
      onFlawStart: (flaw, index, total) =>
        io.stderr(
          `[${index + 1}/${total}] ${flaw.id}: ${flaw.families.join(", ")} against ${flaw.component}\n`,
        ),
      onFlaw: (outcome) => io.stdout(`${formatFlaw(outcome)}\n`),
    });
    await writeCalibration(out, report);
    io.stdout(`${formatVerdict(report)}\nreport ${out}\n`);
    return calibrated(report) ? EXIT.OK : EXIT.NEGATIVE;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
