/**
 * A baseline, as Schemathesis has it: known findings, keyed by the flaw's stable fingerprint (the
 * SARIF partialFingerprints value), each accepted only until its expiry date. Read strictly: the
 * lane's scanner (R1-R7: no duplicate member, no BOM, limits), then a schema compiled by ajv, then
 * what a schema cannot say (real dates, no fingerprint twice, no expiry beyond a year).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { scanJson } from "../../lane/index.js";
import { FailclosedError } from "../../kernel/errors.js";
import { SCHEMA_DIR } from "../../kernel/paths.js";

export interface BaselineEntry {
  readonly fingerprint: string;
  readonly family: string;
  /** YYYY-MM-DD: the entry accepts its finding until the start of this day, UTC. */
  readonly expires: string;
  /** Why it is accepted, and who accepted it: shown beside every warning. */
  readonly reason: string;
}

export interface Baseline {
  readonly kind: "failclosed-baseline";
  readonly v: 1;
  readonly entries: readonly BaselineEntry[];
}

/** An accepted finding is a debt with a date: no entry may run for more than a year from now. */
export const MAX_EXPIRY_DAYS = 366;
const MAX_BASELINE_BYTES = 256 * 1024;
const DAY_MS = 86_400_000;

let validate: ValidateFunction<Baseline> | undefined;

function validator(): ValidateFunction<Baseline> {
  if (validate !== undefined) return validate;
  const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, "baseline.schema.json"), "utf8")) as object;
  validate = new Ajv({ strict: true, allErrors: false }).compile<Baseline>(schema);
  return validate;
}

/** The instant an entry stops applying (the start of its expiry day, UTC), or undefined if no real date. */
export function expiryInstant(expires: string): number | undefined {
  const at = Date.parse(`${expires}T00:00:00Z`);
  return Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== expires ? undefined : at;
}

export function isExpired(entry: BaselineEntry, nowMs: number): boolean {
  return nowMs >= (expiryInstant(entry.expires) ?? 0);
}

function invalid(where: string, message: string): FailclosedError {
  return new FailclosedError("DOCUMENT_INVALID", `${where}: not a valid baseline: ${message}`);
}

/** Parses a baseline's bytes; every problem is DOCUMENT_INVALID naming the place, never a partial baseline. */
export function parseBaseline(bytes: Uint8Array, nowMs: number, where = "baseline"): Baseline {
  const scanned = scanJson(bytes, { maxDocumentBytes: MAX_BASELINE_BYTES });
  if (!scanned.ok) throw invalid(where, `${scanned.error.code} (${scanned.error.rule})`);
  const check = validator();
  if (!check(scanned.value)) {
    const error = check.errors?.[0];
    throw invalid(
      where,
      `${error?.instancePath || "(top level)"} ${error?.message ?? "does not match the schema"}`,
    );
  }
  const baseline = scanned.value;
  const seen = new Set<string>();
  for (const [index, entry] of baseline.entries.entries()) {
    const at = expiryInstant(entry.expires);
    if (at === undefined) throw invalid(where, `/entries/${index}/expires is not a real date`);
    if (at > nowMs + MAX_EXPIRY_DAYS * DAY_MS)
      throw invalid(where, `/entries/${index}/expires is more than ${MAX_EXPIRY_DAYS} days away`);
    if (seen.has(entry.fingerprint)) throw invalid(where, `/entries/${index} repeats a fingerprint`);
    seen.add(entry.fingerprint);
  }
  return baseline;
}

export async function readBaseline(path: string, nowMs: number): Promise<Baseline> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot read the baseline`, { cause });
  }
  return parseBaseline(bytes, nowMs, path);
}
