/**
 * P08's flawed result writer for G7: a rehearsal that did not pass "explains" itself with the
 * server's error report, written as PostgreSQL logs it, with the statement it failed on
 * (`ERROR: … STATEMENT: …`, the context log_min_error_statement adds and drivers' error objects
 * carry). That statement is the migration's own text, so the answer carries the probe's input back
 * to the caller, in an `error` member beside the verdict. SPEC G7: a refusal echoes no byte of the
 * input; only the evidence directory keeps the migration's bytes (E1).
 */
import { SHIPPED_LANE_COMPONENTS, type WriteResult } from "../../../lane/index.js";

/** As much of the statement as a server log line keeps before it is cut. */
const STATEMENT_CHARS = 256;

/** The migration as the request sent it, read leniently: an error path does not re-validate. */
function migrationOf(request: Uint8Array): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(request).toString("utf8"));
    const migration =
      typeof parsed === "object" && parsed !== null
        ? (parsed as Record<string, unknown>)["migration"]
        : undefined;
    return typeof migration === "string" ? migration : undefined;
  } catch {
    return undefined;
  }
}

export const resultQuotesServerError: WriteResult = (result, request) => {
  const migration = result.verdict === "PASS" ? undefined : migrationOf(request);
  if (migration === undefined) return SHIPPED_LANE_COMPONENTS.writeResult(result, request);
  const error = `ERROR:  rehearsal ${result.verdict}: ${result.reasons.join(", ")}\nSTATEMENT:  ${migration.slice(0, STATEMENT_CHARS)}`;
  return Buffer.from(JSON.stringify({ ...result, error }), "utf8");
};
