/**
 * `failclosed calibrate` as an API: for each flaw of the catalogue, the families that should find
 * it (those still enabled) are run against the reference lane with that flaw planted, each stopping
 * at its first confirmed finding, and the report says per flaw whether it was found, by which
 * family and oracle, and how soon. Like runFailclosed it returns a result; only the command line
 * turns it into an exit code.
 */
import { FailclosedError } from "../../kernel/errors.js";
import { makeScratchDir, scratchRoot } from "../../kernel/scratch-dir.js";
import { canariesFromJwks } from "../canary/index.js";
import { runFuzz } from "../engine/engine.js";
import { loadFamilies, selectFamilies } from "../engine/families.js";
import { randomSeed } from "../engine/seeds.js";
import { currentVersions } from "../engine/versions.js";
import { ORACLES } from "../oracles/index.js";
import type { ProbeFamily } from "../types.js";
import { CATALOGUE } from "./catalogue.js";
import type { Flaw } from "./flaw.js";
import { judgeFlawRun } from "./judge-flaw.js";
import { flawedOpener } from "./open-flawed.js";
import type { CalibrationReport, FlawOutcome, FlawResult } from "./results.js";

/** The defaults, in one place for the API and the help text. */
export const CALIBRATE_DEFAULTS = {
  /** Per probe; a flaw may ask for more (its probes reach a slow clone). */
  timeoutMs: 15_000,
  /** For runs beyond a family's floor; a family stops at its first finding long before. */
  budgetMs: 100_000,
} as const;

export interface CalibrateOptions {
  readonly seed?: number;
  /** Runs per family (default each family's minimum: the floor the release gate requires). */
  readonly runs?: number;
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  /** A subset of the catalogue by id (default every flaw); the gate requires every one. */
  readonly flaws?: readonly string[];
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** The catalogue (default CATALOGUE); tests give smaller ones. */
  readonly catalogue?: readonly Flaw[];
  /** Where the families live (default the shipped probes). */
  readonly families?: readonly ProbeFamily[];
  /** Called with the seed before anything runs, so it is printed first. */
  readonly onStart?: (seed: number) => void;
  /** Called before each flaw's run and with its outcome, for the console. */
  readonly onFlawStart?: (flaw: Flaw, index: number, total: number) => void;
  readonly onFlaw?: (outcome: FlawOutcome) => void;
  /** Where the reference lanes' clones go (kernel/scratch-dir.ts); default RAM-backed when there is room. */
  readonly scratchDir?: string;
}

function chosenFlaws(catalogue: readonly Flaw[], ids: readonly string[] | undefined): readonly Flaw[] {
  if (ids === undefined) return catalogue;
  const known = new Map(catalogue.map((flaw) => [flaw.id, flaw] as const));
  for (const id of ids) {
    if (!known.has(id))
      throw new FailclosedError("USAGE", `unknown flaw ${id}; the flaws are ${[...known.keys()].join(", ")}`);
  }
  return catalogue.filter((flaw) => ids.includes(flaw.id));
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export async function calibrate(options: CalibrateOptions = {}): Promise<CalibrationReport> {
  const all = options.families ?? (await loadFamilies());
  const enabled = selectFamilies(all, options.only, options.skip);
  const disabled = all.filter((f) => !enabled.includes(f)).map((f) => f.id);
  const flaws = chosenFlaws(options.catalogue ?? CATALOGUE, options.flaws);
  const seed = options.seed ?? randomSeed();
  const signal = options.signal ?? new AbortController().signal;
  // Checked before the seed is printed: a bad --scratch-dir is a usage mistake, not a calibration.
  const scratch = await scratchRoot(options.scratchDir);
  options.onStart?.(seed);
  const started = Date.now();
  const work = await makeScratchDir(scratch, "calibrate");
  const workDir = work.path;
  const outcomes: FlawOutcome[] = [];
  try {
    for (const [index, flaw] of flaws.entries()) {
      options.onFlawStart?.(flaw, index, flaws.length);
      const flawStarted = Date.now();
      const result = await calibrateFlaw(flaw, enabled, { ...options, seed, signal, workDir });
      const outcome: FlawOutcome = {
        id: flaw.id,
        families: flaw.families,
        oracles: flaw.oracles,
        component: flaw.component,
        models: flaw.models,
        elapsedMs: Date.now() - flawStarted,
        result,
      };
      outcomes.push(outcome);
      options.onFlaw?.(outcome);
    }
  } finally {
    await work.remove();
  }
  const finished = Date.now();
  return {
    kind: "failclosed-calibration",
    v: 1,
    failclosed: currentVersions().failclosed,
    seed,
    startedAt: iso(started),
    finishedAt: iso(finished),
    disabledFamilies: disabled,
    flaws: outcomes,
    totals: {
      flaws: outcomes.length,
      found: outcomes.filter((o) => o.result.kind === "found").length,
      elapsedMs: finished - started,
    },
  };
}

async function calibrateFlaw(
  flaw: Flaw,
  enabled: readonly ProbeFamily[],
  options: CalibrateOptions & { seed: number; signal: AbortSignal; workDir: string },
): Promise<FlawResult> {
  const families = enabled.filter((family) => flaw.families.includes(family.id));
  if (families.length === 0)
    return { kind: "not-run", why: `${flaw.families.join(", ")} disabled: nothing could find it` };
  if (options.signal.aborted) return { kind: "not-run", why: "interrupted" };
  const report = await runFuzz({
    families,
    openTarget: flawedOpener(flaw.swap, options.workDir),
    oracles: ORACLES,
    canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
    seed: options.seed,
    ...(options.runs === undefined ? {} : { runs: options.runs }),
    budgetMs: CALIBRATE_DEFAULTS.budgetMs,
    concurrency: 1,
    // One chunk at a time: a family stops at its first failure, and its runs count up to it.
    familyConcurrency: 1,
    timeoutMs: Math.max(options.timeoutMs ?? CALIBRATE_DEFAULTS.timeoutMs, flaw.timeoutMs ?? 0),
    signal: options.signal,
    reporters: [],
    freshTargets: true,
  });
  return judgeFlawRun(flaw, report);
}
