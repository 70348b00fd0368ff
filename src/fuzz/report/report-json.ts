import { FailclosedError } from "../../kernel/errors.js";
import type { Report } from "../report-types.js";
import { writeAtomically } from "./atomic-write.js";
import { type CanaryScan, assertNoCanary } from "./canary.js";
import { validateReport } from "./schema.js";

export const REPORT_FILE = "report.json";

/**
 * report.json, exactly the Report, checked against its schema first: the gate reads only these,
 * so a report it would refuse must fail here, at the run that made it, not at release time.
 */
export function renderReportJson(report: Report): string {
  const valid = validateReport(report);
  if (!valid.ok)
    throw new FailclosedError("INTERNAL", `the run's report does not match its schema: ${valid.error}`);
  return `${JSON.stringify(report, null, 2)}\n`;
}

export async function writeReportJson(dir: string, report: Report, scan: CanaryScan): Promise<void> {
  const files = [{ name: REPORT_FILE, text: renderReportJson(report) }];
  assertNoCanary(files, scan);
  await writeAtomically(dir, files);
}
