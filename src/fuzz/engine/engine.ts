import { formatTimestamp } from "../../lane/index.js";
import type { Reporter } from "../events.js";
import type { Report } from "../report-types.js";
import type { FamilyResult, Finding, Oracle, ProbeFamily, SeedCorpus, Target } from "../types.js";
import { emitterFor } from "./emitter.js";
import { familyContext } from "./family-context.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "../keyring/under-test.js";
import { defaultHardLimitMs } from "./budget.js";
import { FamilyRun } from "./family-run.js";
import { interleaveControls, runInterleaved } from "./schedule.js";
import { StateLock } from "./state-lock.js";
import { loadSeedCorpus } from "./seed-corpus.js";
import { sealedByKeyring } from "./sealed-by.js";
import { deriveSeed, saltFor } from "./seeds.js";
import { shareOfRuns, type Shard } from "./shard.js";
import { currentVersions } from "./versions.js";

export interface RunConfig {
  readonly families: readonly ProbeFamily[];
  /** Builds the system under test for this run's keyring and clock. */
  readonly openTarget: (kut: KeyringUnderTest, now: number) => Promise<Target>;
  readonly oracles: readonly Oracle[];
  /** Every encoding of every secret in the keyring under test, for the leak oracle. */
  readonly canariesOf: (kut: KeyringUnderTest) => readonly string[];
  readonly seed: number;
  /** Generated probes per family; default each family's minRuns. */
  readonly runs?: number;
  /**
   * Bounds the runs beyond each family's floor (its minRuns), counted from the first probe:
   * start-up is not counted, and the floor is completed whatever the budget (budget.ts).
   */
  readonly budgetMs: number;
  /**
   * The only time that can cut a floor short (then the family is inconclusive and says to raise
   * it), counted from the first probe; default defaultHardLimitMs(budgetMs).
   */
  readonly hardLimitMs?: number;
  /** Families at once. */
  readonly concurrency: number;
  /** Sub-seeds of one family at once. */
  readonly familyConcurrency: number;
  readonly timeoutMs: number;
  readonly shard?: Shard;
  readonly signal: AbortSignal;
  readonly reporters: readonly Reporter[];
  /** Saved failures to fire before generating, per family id. */
  readonly replay?: (family: ProbeFamily) => Promise<readonly Finding[]>;
  /** The run's clock; default now. Documents are built relative to it. */
  readonly now?: number;
  /** openTarget can make fresh instances (in process): findings are confirmed on one. */
  readonly freshTargets?: boolean;
  /** Default: derived from the run's salt. An external target brings the user's test keyring. */
  readonly keyringUnderTest?: (salt: string) => Promise<KeyringUnderTest>;
  /** Default: from the clock, the seed and the shard (runIdFor). */
  readonly runId?: string;
  /** The families' seed documents; default the package's corpora/. */
  readonly corpus?: SeedCorpus;
  /** The database the external lane's clone is (its clone hook's answer), for P07's markers. */
  readonly cloneDatabase?: string;
}

export function runIdFor(now: number, seed: number, shard: Shard | undefined): string {
  return `${formatTimestamp(now).replace(/[-:]/g, "")}-${seed}${shard ? `-s${shard.index}of${shard.total}` : ""}`;
}

/**
 * The engine returns a report; only the command line turns it into an exit code (as fast-check's
 * check returns details and assert throws).
 */
export async function runFuzz(config: RunConfig): Promise<Report> {
  const startedMs = Date.now();
  const now = config.now ?? Math.floor(startedMs / 1000);
  const salt = saltFor(config.seed);
  const runId = config.runId ?? runIdFor(now, config.seed, config.shard);
  const emit = emitterFor(config.reporters);
  const kut = await (config.keyringUnderTest ?? deriveKeyringUnderTest)(salt);
  const corpus = config.corpus ?? (await loadSeedCorpus());
  const ctx = familyContext(kut, now, salt, corpus, config.cloneDatabase);
  const target = await config.openTarget(kut, now);
  const versions = { ...currentVersions(), corpus: corpus.digest };
  const hardLimitMs = config.hardLimitMs ?? defaultHardLimitMs(config.budgetMs);
  const fire = {
    target,
    oracles: config.oracles,
    timeoutMs: config.timeoutMs,
    canaries: config.canariesOf(kut),
    sealedBy: sealedByKeyring(kut.keyring),
    stateLock: new StateLock({ perOperation: target.stateByOperation === true }),
    metamorphic: { keyring: kut.keyring, now, salt },
  };
  // Awaited before run-end, not left floating: a reporter that throws here must fail the run in
  // its own flow, never as an unhandled rejection that kills it before the partial report.
  let interruption: Promise<void> | undefined;
  const onAbort = (): void => {
    interruption = emit({ type: "interrupted", signal: String(config.signal.reason ?? "SIGINT") });
  };
  config.signal.addEventListener("abort", onAbort, { once: true });
  await emit({
    type: "run-start",
    runId,
    seed: config.seed,
    target: target.name,
    families: config.families.map((f) => ({ id: f.id, role: f.role, operation: f.operation })),
    budgetMs: config.budgetMs,
    hardLimitMs,
  });
  // Both clocks start with the first probe: start-up (keys, seeds, the target) is not counted.
  const firingStartedMs = Date.now();
  let results: FamilyResult[];
  try {
    results = await runInterleaved(interleaveControls(config.families), {
      width: Math.max(1, config.concurrency) * Math.max(1, config.familyConcurrency),
      // Gate and lane families side by side only where the target says they share nothing.
      // The lane gets `concurrency` chunks at once, not one per sub-seed as well: its rehearsals
      // take turns on the clone anyway, and every lane chunk in flight may hold PGlite instances
      // of its own (P07's clones, D02's lanes): peak memory, issue #17.
      ...(target.stateByOperation === true
        ? {
            groupOf: (family: ProbeFamily) => family.operation,
            widthOf: (group: string) => (group === "rehearse" ? Math.max(1, config.concurrency) : undefined),
          }
        : {}),
      replay: async (family) => {
        // A saved failure that cannot be read or judged makes its family inconclusive (which
        // still blocks the release); it must not end the whole run without a report.
        try {
          const replayed = config.signal.aborted ? [] : ((await config.replay?.(family)) ?? []);
          // Replayed now: its time to detection is this run's, not the run's that first found it.
          const at = Date.now() - startedMs;
          return { replayed: replayed.map((f) => ({ ...f, foundAtMs: at })) };
        } catch (error) {
          return {
            replayed: [],
            error: `saved failures could not be replayed: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
      },
      open: (family, { replayed, error }) =>
        new FamilyRun({
          ...(error === undefined ? {} : { inconclusiveFrom: error }),
          family,
          ctx,
          fire,
          seed: deriveSeed(config.seed, family.id, config.shard?.index ?? 0),
          runs: shareOfRuns(config.runs ?? family.minRuns, config.shard),
          floor: shareOfRuns(family.minRuns, config.shard),
          smoke: true,
          budgetDeadline: firingStartedMs + config.budgetMs,
          hardDeadline: firingStartedMs + hardLimitMs,
          hardLimitMs,
          runStartedMs: startedMs,
          signal: config.signal,
          emit,
          versions,
          replayed,
          ...(config.freshTargets === true ? { freshTarget: () => config.openTarget(kut, now) } : {}),
        }),
    });
    const order = new Map(config.families.map((f, index) => [f.id, index]));
    results.sort((a, b) => (order.get(a.family) ?? 0) - (order.get(b.family) ?? 0));
  } finally {
    config.signal.removeEventListener("abort", onAbort);
    await target.close().catch(() => undefined);
  }
  const finishedMs = Date.now();
  const probes = results.reduce((sum, r) => sum + r.probes, 0);
  const report: Report = {
    kind: "failclosed-report",
    v: 1,
    runId,
    startedAt: new Date(startedMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    finishedAt: new Date(finishedMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    seed: config.seed,
    target: target.name,
    ...(config.shard === undefined ? {} : { shard: config.shard }),
    versions,
    families: results,
    canary: "clean",
    interrupted: config.signal.aborted,
    totals: {
      probes,
      findings: results.reduce((sum, r) => sum + r.findings.length, 0),
      elapsedMs: finishedMs - startedMs,
      probesPerSecond: probes / Math.max(0.001, (finishedMs - startedMs) / 1000),
    },
  };
  await interruption;
  await emit({ type: "run-end", report });
  return report;
}
