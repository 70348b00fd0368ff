/**
 * What `failclosed gate` does for the ecosystem besides its verdict: a baseline of known findings
 * applied before the gate judges, the merged SARIF log of every report, and inside GitHub Actions
 * the annotations and the job summary. Kept apart so the gate command stays a thin layer.
 */
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { attestRelease } from "../attest/index.js";
import { REPORT_FILE } from "../fuzz/report/report-json.js";
import { loadKeyring } from "../lane/index.js";
import { testModeFrom, usageError } from "./args.js";
import type { Report } from "../fuzz/report-types.js";
import type { GateResult } from "../fuzz/release/types.js";
import { applyBaseline, type BaselineOutcome } from "../fuzz/baseline/apply.js";
import { readBaseline } from "../fuzz/baseline/baseline.js";
import { formatBaseline } from "../fuzz/baseline/format.js";
import { writeGithubOutputs } from "../fuzz/report/github-actions.js";
import { findingFingerprint } from "../fuzz/report/sarif-fingerprint.js";
import { renderSarif } from "../fuzz/report/sarif.js";
import { FailclosedError } from "../kernel/errors.js";
import type { Io } from "./io.js";

export const GATE_EXTRAS_USAGE = `  --baseline FILE known findings accepted until their expiry: a warning, not a failure (never an
                  ALLOW or PASS to an attack, a leak, a canary or a failed control)
  --sarif FILE    also write every report's results as one SARIF 2.1.0 log (for code scanning)
  --attest FILE   also write the decision as a SLSA Verification Summary Attestation (in-toto
                  Statement v1, DSSE envelope) naming every report and the pass rate, signed
                  with the Ed25519 key --kid KID from --keyring K (repeatable; --test-mode)
In GitHub Actions (GITHUB_ACTIONS=true) findings are also printed as ::error annotations and the
decision is appended to $GITHUB_STEP_SUMMARY.`;

export const GATE_EXTRAS_FLAGS = {
  baseline: { type: "string" },
  sarif: { type: "string" },
  attest: { type: "string" },
  keyring: { type: "string", multiple: true },
  kid: { type: "string" },
  "test-mode": { type: "boolean" },
} as const;

interface ExtraValues {
  readonly baseline?: string | undefined;
  readonly sarif?: string | undefined;
  readonly attest?: string | undefined;
  readonly keyring?: string[] | undefined;
  readonly kid?: string | undefined;
  readonly "test-mode"?: boolean | undefined;
}

async function reportFile(path: string): Promise<string> {
  try {
    return (await stat(path)).isDirectory() ? join(path, REPORT_FILE) : path;
  } catch {
    return path;
  }
}

/** Checked before the gate runs: a bad attestation flag must not surface after the verdict. */
export function checkExtras(values: ExtraValues, usage: string): void {
  const wantsKey = values.keyring !== undefined || values.kid !== undefined;
  if (values.attest === undefined && wantsKey)
    throw usageError("--keyring and --kid go with --attest", usage);
  if (values.attest !== undefined && (values.keyring === undefined || values.kid === undefined))
    throw usageError("--attest needs --keyring and --kid", usage);
}

async function writeAttestation(
  values: ExtraValues,
  paths: readonly string[],
  prepared: Prepared,
  result: GateResult,
  families: readonly string[],
  io: Io,
): Promise<void> {
  if (values.attest === undefined || values.keyring === undefined || values.kid === undefined) return;
  const keyring = await loadKeyring(values.keyring, { testMode: testModeFrom(values["test-mode"], io.env) });
  const signer = keyring.get(values.kid);
  if (signer?.signKey === undefined)
    throw new FailclosedError("KEY_MISSING", `no private key with kid ${values.kid} in the keyring`);
  const files = await Promise.all(paths.map(reportFile));
  const envelope = await attestRelease(files, prepared.original, result, families, signer, new Date());
  try {
    await writeFile(values.attest, `${JSON.stringify(envelope)}\n`);
  } catch (cause) {
    throw new FailclosedError("FILE_UNREADABLE", `${values.attest}: cannot write the attestation`, { cause });
  }
}

export interface Prepared {
  /** What the release gate judges: the reports less the findings the baseline accepts. */
  readonly reports: readonly Report[];
  readonly original: readonly Report[];
  readonly baseline?: BaselineOutcome;
}

export async function prepareReports(
  values: ExtraValues,
  reports: readonly Report[],
  io: Io,
): Promise<Prepared> {
  if (values.baseline === undefined) return { reports, original: reports };
  const now = Date.now();
  const outcome = applyBaseline(reports, await readBaseline(values.baseline, now), now);
  io.stdout(formatBaseline(outcome));
  return { reports: outcome.reports, original: reports, baseline: outcome };
}

export async function gateExtras(
  values: ExtraValues,
  paths: readonly string[],
  families: readonly string[],
  prepared: Prepared,
  result: GateResult,
  io: Io,
): Promise<void> {
  await writeAttestation(values, paths, prepared, result, families, io);
  const known = new Map(
    (prepared.baseline?.known ?? []).map(({ finding, entry }) => [
      findingFingerprint(finding),
      `accepted by the baseline until ${entry.expires}: ${entry.reason}`,
    ]),
  );
  if (values.sarif !== undefined) {
    try {
      await writeFile(
        values.sarif,
        renderSarif(prepared.original, { suppressed: (fingerprint) => known.get(fingerprint) }),
      );
    } catch (cause) {
      throw new FailclosedError("FILE_UNREADABLE", `${values.sarif}: cannot write the SARIF log`, { cause });
    }
  }
  await writeGithubOutputs(io.env, prepared.reports, result, io.stdout, prepared.baseline);
}
