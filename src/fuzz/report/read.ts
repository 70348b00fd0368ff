import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { FailclosedError } from "../../kernel/errors.js";
import type { Report } from "../report-types.js";
import { validateReport } from "./schema.js";
import { parseStrictJson } from "./strict-json.js";

/** Larger report files are refused rather than read into memory (findings carry their bytes). */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

/**
 * Reads and strictly validates one report.json. An unreadable file is FILE_UNREADABLE; anything
 * that is not exactly a report (bad UTF-8, bad JSON, duplicate members, schema) is DOCUMENT_INVALID.
 */
export async function readReport(path: string): Promise<Report> {
  let bytes: Buffer;
  try {
    if ((await stat(path)).size > MAX_REPORT_BYTES) {
      throw new FailclosedError("FILE_UNREADABLE", `${path}: larger than ${MAX_REPORT_BYTES} bytes`);
    }
    bytes = await readFile(path);
  } catch (cause) {
    if (cause instanceof FailclosedError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code ?? "error";
    throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot read (${code})`, { cause });
  }
  const parsed = parseStrictJson(bytes);
  if (!parsed.ok) throw new FailclosedError("DOCUMENT_INVALID", `${path}: ${parsed.error}`);
  const report = validateReport(parsed.value);
  if (!report.ok)
    throw new FailclosedError("DOCUMENT_INVALID", `${path}: not a failclosed report: ${report.error}`);
  return report.value;
}

/**
 * Earlier runs' reports (reportsRoot/<run-id>/report.json), oldest first, for the HTML trend.
 * History is decoration: an unreadable or invalid report is skipped with a warning and never fails
 * the run, and a missing reports directory is simply no history.
 */
export async function loadHistory(
  reportsRoot: string,
  warn: (message: string) => void = (message) => void process.stderr.write(`warning: ${message}\n`),
): Promise<Report[]> {
  let entries: string[];
  try {
    entries = (await readdir(reportsRoot, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") warn(`history: cannot list ${reportsRoot} (${code ?? "error"}); no trend`);
    return [];
  }
  const reports: Report[] = [];
  for (const name of entries) {
    const path = join(reportsRoot, name, "report.json");
    try {
      reports.push(await readReport(path));
    } catch (cause) {
      // A run directory without report.json (interrupted before the end, or in progress) is normal.
      if ((cause as { cause?: NodeJS.ErrnoException }).cause?.code === "ENOENT") continue;
      warn(`history: skipping ${cause instanceof Error ? cause.message : `${path}: ${String(cause)}`}`);
    }
  }
  return reports.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}
