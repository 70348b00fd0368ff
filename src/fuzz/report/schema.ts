import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { SCHEMA_DIR } from "../../kernel/paths.js";
import { type Result, err, ok } from "../../kernel/result.js";
import type { Finding } from "../types.js";
import type { Report } from "../report-types.js";

interface Validators {
  readonly report: ValidateFunction<Report>;
  readonly finding: ValidateFunction<Finding>;
}

let compiled: Validators | undefined;

/**
 * Compiled once, on first use, from schemas/report.schema.json with the lane's ajv options: strict
 * mode refuses unknown keywords, so a typo in the schema fails loudly instead of accepting more.
 * A validator of its own because the lane's codec (schemas.ts) only compiles lane documents.
 */
function validators(): Validators {
  if (compiled !== undefined) return compiled;
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, "report.schema.json"), "utf8")) as {
    $id: string;
  };
  const ajv = new Ajv({ strict: true, allErrors: false, allowUnionTypes: false, strictRequired: false });
  ajv.addSchema(schema);
  const report = ajv.getSchema<Report>(schema.$id);
  const finding = ajv.getSchema<Finding>(`${schema.$id}#/definitions/finding`);
  if (report === undefined || finding === undefined)
    throw new Error("failclosed: report schema did not compile");
  compiled = { report, finding };
  return compiled;
}

/** ajv's first error as "/families/0/runs: must be integer"; it names the place, never the value. */
function describeError(errors: readonly ErrorObject[] | null | undefined): string {
  const error = errors?.[0];
  if (error === undefined) return "does not match the report schema";
  const where = error.instancePath === "" ? "(top level)" : error.instancePath;
  const extra =
    error.keyword === "additionalProperties"
      ? ` (${String(error.params["additionalProperty"]).slice(0, 64)})`
      : "";
  return `${where}: ${error.message ?? error.keyword}${extra}`;
}

/** Rules JSON Schema cannot state: shard bounds, real instants, one result per family. */
function semanticError(report: Report): string | undefined {
  if (report.shard !== undefined && report.shard.index > report.shard.total) {
    return "/shard: index is greater than total";
  }
  for (const at of ["startedAt", "finishedAt"] as const) {
    if (Number.isNaN(Date.parse(report[at]))) return `/${at}: not a real instant`;
  }
  const seen = new Set<string>();
  for (const [i, result] of report.families.entries()) {
    if (seen.has(result.family)) return `/families/${i}: family ${result.family} appears twice`;
    seen.add(result.family);
  }
  return undefined;
}

export function validateReport(value: unknown): Result<Report, string> {
  const validate = validators().report;
  if (!validate(value)) return err(describeError(validate.errors));
  const semantic = semanticError(value);
  return semantic === undefined ? ok(value) : err(semantic);
}

export function validateFinding(value: unknown): Result<Finding, string> {
  const validate = validators().finding;
  return validate(value) ? ok(value) : err(describeError(validate.errors));
}
