/**
 * The calibration report on disk: written as one JSON document, read back strictly (strict JSON,
 * then schemas/calibration.schema.json compiled by ajv in strict mode) for `failclosed gate
 * --calibration`. Reading never throws: a missing or malformed file is a reason the release fails.
 */
import { readFileSync } from "node:fs";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { FailclosedError } from "../../kernel/errors.js";
import { SCHEMA_DIR } from "../../kernel/paths.js";
import { err, ok, type Result } from "../../kernel/result.js";
import { parseStrictJson } from "../report/strict-json.js";
import type { CalibrationReport } from "./results.js";

/** A calibration lists a few dozen flaws; anything much larger is not one. */
const MAX_CALIBRATION_BYTES = 4 * 1024 * 1024;

let compiled: ValidateFunction<CalibrationReport> | undefined;

function validator(): ValidateFunction<CalibrationReport> {
  if (compiled !== undefined) return compiled;
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, "calibration.schema.json"), "utf8")) as object;
  const ajv = new Ajv({ strict: true, allErrors: false, allowUnionTypes: false, strictRequired: false });
  compiled = ajv.compile<CalibrationReport>(schema);
  return compiled;
}

export function validateCalibration(value: unknown): Result<CalibrationReport, string> {
  const validate = validator();
  if (validate(value)) {
    const ids = value.flaws.map((flaw) => flaw.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice !== undefined) return err(`flaw ${twice} appears twice`);
    return ok(value);
  }
  const error = validate.errors?.[0];
  const where = error === undefined || error.instancePath === "" ? "(top level)" : error.instancePath;
  return err(`${where}: ${error?.message ?? "does not match the calibration schema"}`);
}

export type CalibrationRead =
  | { readonly kind: "read"; readonly report: CalibrationReport }
  | { readonly kind: "unreadable"; readonly why: string }
  | { readonly kind: "malformed"; readonly why: string };

export async function readCalibration(path: string): Promise<CalibrationRead> {
  let bytes: Buffer;
  try {
    if ((await stat(path)).size > MAX_CALIBRATION_BYTES)
      return { kind: "malformed", why: `${path}: larger than ${MAX_CALIBRATION_BYTES} bytes` };
    bytes = await readFile(path);
  } catch (cause) {
    return {
      kind: "unreadable",
      why: `${path}: cannot read (${(cause as NodeJS.ErrnoException).code ?? "error"})`,
    };
  }
  const parsed = parseStrictJson(bytes);
  if (!parsed.ok) return { kind: "malformed", why: `${path}: ${parsed.error}` };
  const report = validateCalibration(parsed.value);
  if (!report.ok) return { kind: "malformed", why: `${path}: not a calibration report: ${report.error}` };
  return { kind: "read", report: report.value };
}

/** Written beside itself and renamed: a reader never sees half a report. */
export async function writeCalibration(path: string, report: CalibrationReport): Promise<void> {
  const partial = `${path}.partial`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(partial, `${JSON.stringify(report, null, 2)}\n`);
    await rename(partial, path);
  } catch (cause) {
    throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot write the calibration report`, { cause });
  }
}
