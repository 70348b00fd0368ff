import { join, resolve } from "node:path";
import { FailclosedError } from "../../kernel/errors.js";
import { makeScratchDir, scratchRoot } from "../../kernel/scratch-dir.js";
import { canariesFromJwks, makeScanner } from "../canary/index.js";
import { loadSavedFailures, replayCorpus } from "../corpus/corpus.js";
import { runFuzz, runIdFor, type RunConfig } from "../engine/engine.js";
import { loadFamilies, selectFamilies } from "../engine/families.js";
import { loadSeedCorpus } from "../engine/seed-corpus.js";
import { randomSeed } from "../engine/seeds.js";
import { shareOfRuns } from "../engine/shard.js";
import type { Report } from "../report-types.js";
import type { Reporter } from "../events.js";
import { ORACLES } from "../oracles/index.js";
import { checkRunPaths } from "./check-paths.js";
import {
  consoleReporter,
  evaluateGate,
  fileReporter,
  isCanaryInOutputError,
  loadHistory,
  RELEASE_FAMILIES,
  type GateRequirement,
} from "../report/index.js";
import type { ProbeFamily } from "../types.js";
import { AnswerLog, withAnswerLog } from "../targets/answer-log.js";
import { enrichingReporters, enrichReport, findingEnricher } from "./enrich.js";
import { commandCloneHook } from "../targets/clone-hook.js";
import {
  checkSpec,
  describeTarget,
  keyringFor,
  openerFor,
  targetHealth,
  type HookedClone,
} from "./target-spec.js";
import type { RunOptions, RunResult, TargetSpec } from "./types.js";

/** The command line's defaults, in one place for the API and the help text. */
export const RUN_DEFAULTS = {
  budgetMs: 100_000,
  concurrency: 2,
  timeoutMs: 15_000,
} as const;

/**
 * Runs the fuzzer as `failclosed run` does and returns how it ended; only the command line turns
 * that into an exit code (runExitCode). Usage errors (unknown family, unreadable corpus, bad
 * target) throw FailclosedError before anything is fired.
 */
export async function runFailclosed(options: RunOptions = {}): Promise<RunResult> {
  const spec = options.target ?? { kind: "reference" };
  checkSpec(spec);
  const seed = options.seed ?? randomSeed();
  if (options.noLane === true && spec.kind === "reference")
    throw new FailclosedError(
      "USAGE",
      "--no-lane is for an external target; the reference lane has its lane",
    );
  checkCloneCmd(spec, options);
  const selected = selectFamilies(await loadFamilies(), options.only, options.skip);
  const notApplicable = notApplicableOf(selected, spec, options);
  const families = selected.filter((f) => !notApplicable.some((n) => n.family === f.id));
  if (families.length === 0) throw new FailclosedError("USAGE", "no probe family left to run");
  // The fault drills are not release families: leaving them out excuses nothing the release needs.
  const excused = notApplicable.some(
    (n) => !selected.some((f) => f.id === n.family && f.fault !== undefined),
  );
  const required = runRequirement(selected, { ...options, excused });
  const now = Math.floor(Date.now() / 1000);
  const runId = runIdFor(now, seed, options.shard);
  const reportDir = resolve(options.reportDir ?? join("reports", runId));
  const location = await checkRunPaths({ corpus: options.corpusDir, reportDir });
  // Read and checked before anything is fired: a bad seed document stops the run with its path.
  const corpus = await loadSeedCorpus(location.seeds);
  const scratch = await scratchRoot(options.scratchDir);
  // The keyring is read before the target is asked, so a missing key is a usage error first.
  if (spec.kind !== "reference") await keyringFor(spec)("health");
  const health = await targetHealth(spec);
  if (health.kind === "down") {
    return {
      kind: "target-down",
      target: describeTarget(spec),
      detail: `the target does not answer, nothing was fired: ${health.detail}`,
    };
  }
  options.onStart?.({ seed, runId, reportDir });
  // Asked once, before anything is fired: the markers P07 seals name the database it answers.
  const clone = await hookedClone(options.cloneCmd, families);

  const work = await makeScratchDir(scratch, "run");
  const workDir = work.path;
  let scanned: ((text: string | Uint8Array) => string | undefined) | undefined;
  let jwkSets: readonly unknown[] = [];
  const answers = new AnswerLog();
  const openUnlogged = openerFor(spec, workDir, clone);
  const openTarget: typeof openUnlogged = async (kut, at) =>
    withAnswerLog(await openUnlogged(kut, at), answers);
  const saved = { replayed: 0, stillFailing: 0 };
  const enrich = findingEnricher({
    spec,
    answers,
    jwkSets: () => jwkSets,
    scan: (text) => scanned?.(text),
    reportDir,
    cwd: process.cwd(),
    program: options.program ?? "npx failclosed",
    ...(options.cloneCmd === undefined ? {} : { cloneCmd: options.cloneCmd }),
  });
  const keyringUnderTest = keyringFor(spec);
  const external = spec.kind !== "reference";
  const inner: Reporter[] = [
    ...(options.console === undefined
      ? []
      : [consoleReporter({ ...options.console, required, judged: ownShare })]),
    fileReporter(
      reportDir,
      (text) => scanned?.(text),
      await loadHistory(resolve(options.historyDir ?? "reports")),
      { required },
    ),
    ...(options.reporters ?? []),
  ];
  const config: RunConfig = {
    families,
    corpus,
    runId,
    now,
    seed,
    ...(options.shard === undefined ? {} : { shard: options.shard }),
    ...(options.runs === undefined ? {} : { runs: options.runs }),
    ...(clone?.described.ok === true ? { cloneDatabase: clone.described.value.database } : {}),
    budgetMs: options.budgetMs ?? RUN_DEFAULTS.budgetMs,
    ...(options.hardLimitMs === undefined ? {} : { hardLimitMs: options.hardLimitMs }),
    concurrency: options.concurrency ?? RUN_DEFAULTS.concurrency,
    familyConcurrency: 2,
    timeoutMs: options.timeoutMs ?? RUN_DEFAULTS.timeoutMs,
    oracles: ORACLES,
    signal: options.signal ?? new AbortController().signal,
    canariesOf: (kut) => {
      jwkSets = kut.jwkSets;
      const canaries = canariesFromJwks(kut.jwkSets);
      scanned = makeScanner(canaries);
      return canaries;
    },
    ...(external ? { keyringUnderTest } : {}),
    freshTargets: !external,
    openTarget,
    replay: async (family) => {
      saved.replayed += (await loadSavedFailures(family.id, location.failures)).length;
      const still = await replayCorpus(
        family,
        {
          openTarget,
          oracles: ORACLES,
          canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
          timeoutMs: options.timeoutMs ?? RUN_DEFAULTS.timeoutMs,
          ...(external ? { keyringUnderTest } : {}),
        },
        location.failures,
      );
      saved.stillFailing += still.length;
      return still;
    },
    reporters: [
      enrichingReporters(inner, enrich, (report) => ({
        ...report,
        notApplicable,
        savedFailures: { ...saved },
      })),
    ],
  };
  try {
    const report = await runFuzz(config);
    const final = await enrichReport({ ...report, notApplicable, savedFailures: { ...saved } }, enrich);
    return { kind: "report", report: final, reportDir, gate: evaluateGate([ownShare(final)], required) };
  } catch (error) {
    if (isCanaryInOutputError(error)) return { kind: "canary-in-output", detail: error.message, reportDir };
    throw error;
  } finally {
    await work.remove();
  }
}

/** --clone-cmd belongs to an external target with a lane. */
function checkCloneCmd(spec: TargetSpec, options: RunOptions): void {
  const command = options.cloneCmd;
  if (command === undefined) return;
  if (spec.kind === "reference")
    throw new FailclosedError(
      "USAGE",
      "--clone-cmd is for an external target; the reference lane builds its own clones",
    );
  if (command.trim() === "") throw new FailclosedError("USAGE", "--clone-cmd is empty");
  if (options.noLane === true)
    throw new FailclosedError(
      "USAGE",
      "--clone-cmd provisions a lane's clones; --no-lane says there is none",
    );
}

/**
 * Families that do not apply to the target: the rehearsal families without a lane (--no-lane),
 * the clone families (P07) on an external lane with no clone hook to provision its clones, and
 * the fault drills (D01, D02) anywhere but the reference lane, whose components they break.
 */
function notApplicableOf(selected: readonly ProbeFamily[], spec: TargetSpec, options: RunOptions) {
  const drills =
    spec.kind === "reference"
      ? []
      : selected
          .filter((f) => f.fault !== undefined && !(options.noLane === true && f.operation === "rehearse"))
          .map((f) => ({
            family: f.id,
            name: f.name,
            why: "fault drills provoke faults in the reference lane only",
          }));
  if (options.noLane === true)
    return [
      ...selected
        .filter((f) => f.operation === "rehearse")
        .map((f) => ({ family: f.id, name: f.name, why: "the target has no rehearsal lane (--no-lane)" })),
      ...drills,
    ];
  if (spec.kind === "reference" || options.cloneCmd !== undefined) return drills;
  return [
    ...drills,
    ...selected
      .filter((f) => f.cloneSetup !== undefined)
      .map((f) => ({
        family: f.id,
        name: f.name,
        why: "its clones are provisioned on your side: give a clone hook (--clone-cmd) to run it",
      })),
  ];
}

async function hookedClone(
  command: string | undefined,
  families: readonly ProbeFamily[],
): Promise<HookedClone | undefined> {
  if (command === undefined) return undefined;
  const hook = commandCloneHook(command);
  // No clone family selected: the hook is never asked anything.
  if (!families.some((f) => f.cloneSetup !== undefined))
    return { hook, described: { ok: false, detail: "no clone family selected" } };
  return { hook, described: await hook.describe() };
}

/**
 * What the run's own verdict requires: the ten release families for a whole run; only the attack
 * families selected for a partial one (--only, --skip); and when some do not apply to the target
 * (--no-lane, or no clone hook for an external lane) only what applies. The same requirement
 * prints the closing pass rate and gives the exit code.
 */
export function runRequirement(
  selected: readonly ProbeFamily[],
  options: RunOptions & { readonly excused?: boolean },
): GateRequirement {
  const partial = options.only !== undefined || (options.skip?.length ?? 0) > 0;
  const families = partial
    ? selected.filter((f) => f.role === "attack").map((f) => f.id)
    : [...RELEASE_FAMILIES];
  const applicableOnly = partial || options.noLane === true || options.excused === true;
  return { families, ...(applicableOnly ? { applicable: true } : {}) };
}

/**
 * What a run's own verdict judges: the report itself, or for one shard its own share (each
 * family's minimum divided as the shard divided its runs, the shard as if whole). A shard cannot
 * pass the release alone (`failclosed gate` over every shard does that), but it can be complete.
 */
export function ownShare(report: Report): Report {
  const { shard, ...whole } = report;
  if (shard === undefined) return report;
  return {
    ...whole,
    families: report.families.map((f) => ({ ...f, minRuns: shareOfRuns(f.minRuns, shard) })),
  };
}
