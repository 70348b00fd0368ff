import { stat } from "node:fs/promises";
import { join } from "node:path";
import {
  evaluateGate,
  formatGate,
  gateExitCode,
  readReport,
  RELEASE_FAMILIES,
  REPORT_FILE,
} from "../../fuzz/report/index.js";
import type { Report } from "../../fuzz/report-types.js";
import { flawIds, readCalibration } from "../../fuzz/calibrate/index.js";
import { currentVersions } from "../../fuzz/engine/versions.js";
import { withCalibration } from "../../fuzz/release/calibration.js";
import {
  checkExtras,
  gateExtras,
  GATE_EXTRAS_FLAGS,
  GATE_EXTRAS_USAGE,
  prepareReports,
} from "../gate-extras.js";
import { parseFlags, usageError } from "../args.js";
import type { ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const GATE_USAGE = `Usage: failclosed gate REPORT... [--require IDS] [--applicable] [--calibration FILE]

The release gate: merges any number of reports (files, or run directories holding report.json,
e.g. every shard of a nightly run) and passes only when every required family is closed with
its minimum runs, every control held, and no finding, canary or interruption appeared. Prints the
pass rate as N/M (M the required families: 10 by default) and, on a failure, every problem.
  --require IDS   the attack families that must be closed, comma-separated (default P01..P10);
                  a family left out cannot fail the gate by being inconclusive, but a finding
                  in any family always does
  --applicable    excuse the families every report lists as not applicable to its target
                  (run --no-lane: P07, P08): they leave the denominator, e.g. "8/8 (P07, P08
                  not applicable)"; without it they fail the gate as missing
  --calibration FILE
                  also require a calibration report (failclosed calibrate) of this failclosed
                  version in which every planted flaw of the catalogue was found: a missing,
                  malformed or other version's report fails the gate (exit 2), a flaw not found
                  fails it as a blind fuzzer (exit 1)
${GATE_EXTRAS_USAGE}
Exit 0 pass, 1 a finding, a failed control or a flaw the calibration missed, 2 inconclusive or
missing families (or calibration), 3 a canary.`;

async function reportPath(path: string): Promise<string> {
  try {
    return (await stat(path)).isDirectory() ? join(path, REPORT_FILE) : path;
  } catch {
    return path;
  }
}

export async function gateCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      require: { type: "string" },
      applicable: { type: "boolean" },
      calibration: { type: "string" },
      ...GATE_EXTRAS_FLAGS,
      help: { type: "boolean", short: "h" },
    },
    GATE_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${GATE_USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) throw usageError("at least one report is required", GATE_USAGE);
  checkExtras(values, GATE_USAGE);
  const families =
    values.require === undefined ? RELEASE_FAMILIES : values.require.split(",").filter((id) => id !== "");
  const reports: Report[] = [];
  for (const path of positionals) reports.push(await readReport(await reportPath(path)));
  const prepared = await prepareReports(values, reports, io);
  const judged = evaluateGate(prepared.reports, {
    families,
    ...(values.applicable === true ? { applicable: true } : {}),
  });
  const result =
    values.calibration === undefined
      ? judged
      : withCalibration(judged, {
          read: await readCalibration(values.calibration),
          version: currentVersions().failclosed,
          flaws: flawIds(),
        });
  io.stdout(`${formatGate(result)}\n`);
  await gateExtras(values, positionals, families, prepared, result, io);
  return gateExitCode(result);
}
