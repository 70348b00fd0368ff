import pLimit from "p-limit";
import type { EngineEvent } from "../events.js";
import type { FamilyContext, FamilyResult, Finding, ProbeFamily, Versions } from "../types.js";
import type { FireContext } from "./fire.js";
import { FamilyRun } from "./family-run.js";

export { probeOf } from "./family-run.js";

export interface FamilyRunOptions {
  readonly family: ProbeFamily;
  readonly ctx: FamilyContext;
  readonly fire: FireContext;
  readonly seed: number;
  /** How many generated probes to aim for; at least the family's minRuns counts as enough. */
  readonly runs: number;
  /** Bounds only the runs beyond the floor, counted from the family's start. */
  readonly budgetMs: number;
  /** This run's share of the family's minimum runs (all of it unless sharded): always completed. */
  readonly floor: number;
  /** The only time that can cut the floor short, from the family's start; default none. */
  readonly hardLimitMs?: number;
  /** Independent sub-seeds of this family run at once. */
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly emit: (event: EngineEvent) => Promise<void>;
  readonly versions: Versions;
  /** Findings already confirmed before generation (saved failures replayed from the corpus). */
  readonly replayed?: readonly Finding[];
  /** A fresh instance of the target for confirmation (see FamilyRunSettings). */
  readonly freshTarget?: () => Promise<FireContext["target"]>;
  /** Inconclusive before it starts (its saved failures could not be replayed): it fires nothing. */
  readonly inconclusiveFrom?: string;
}

/**
 * Runs one family on its own, without a smoke round: its chunks in order, `concurrency` at once.
 * The engine interleaves many families instead (engine.ts); this is the same run for one.
 */
export async function runFamily(options: FamilyRunOptions): Promise<FamilyResult> {
  const started = Date.now();
  const hardLimitMs = options.hardLimitMs ?? Number.POSITIVE_INFINITY;
  const run = new FamilyRun({
    family: options.family,
    ctx: options.ctx,
    fire: options.fire,
    seed: options.seed,
    runs: options.runs,
    floor: options.floor,
    smoke: false,
    budgetDeadline: started + options.budgetMs,
    hardDeadline: started + hardLimitMs,
    hardLimitMs,
    runStartedMs: started,
    signal: options.signal,
    emit: options.emit,
    versions: options.versions,
    ...(options.replayed === undefined ? {} : { replayed: options.replayed }),
    ...(options.freshTarget === undefined ? {} : { freshTarget: options.freshTarget }),
    ...(options.inconclusiveFrom === undefined ? {} : { inconclusiveFrom: options.inconclusiveFrom }),
  });
  await run.start();
  const limit = pLimit(Math.max(1, options.concurrency));
  await Promise.all(run.chunks.map((chunk) => limit(() => run.runChunk(chunk))));
  return run.finish();
}
