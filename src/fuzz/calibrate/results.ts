/** What calibrate found for each flaw, and the report it writes (schemas/calibration.schema.json). */

export type FlawResult =
  | {
      readonly kind: "found";
      readonly family: string;
      readonly oracle: string;
      /** The finding's rule, as the run's report names it. */
      readonly rule: string;
      /** From the start of the flaw's run (the target opened) to the first failing probe judged. */
      readonly detectedMs: number;
      readonly probes: number;
    }
  /** The families ran and did not find it: the fuzzer is blind to it. */
  | { readonly kind: "missed"; readonly why: string; readonly probes: number }
  /** No family that could find it was enabled (--only, --skip): it went unfound. */
  | { readonly kind: "not-run"; readonly why: string };

export interface FlawOutcome {
  readonly id: string;
  readonly families: readonly string[];
  readonly oracles: readonly string[];
  readonly component: string;
  readonly models: string;
  readonly elapsedMs: number;
  readonly result: FlawResult;
}

export interface CalibrationReport {
  readonly kind: "failclosed-calibration";
  readonly v: 1;
  readonly failclosed: string;
  readonly seed: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Families left out of this calibration (--only, --skip): their flaws go unfound. */
  readonly disabledFamilies: readonly string[];
  readonly flaws: readonly FlawOutcome[];
  readonly totals: { readonly flaws: number; readonly found: number; readonly elapsedMs: number };
}

/** Every flaw found: the fuzzer sees what it should. */
export function calibrated(report: CalibrationReport): boolean {
  return report.flaws.every((flaw) => flaw.result.kind === "found");
}
