import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FailclosedError } from "../../kernel/errors.js";
import { canariesFromJwks, makeScanner } from "../canary/index.js";
import { replayCorpus } from "../corpus/corpus.js";
import { runFuzz, runIdFor, type RunConfig } from "../engine/engine.js";
import { loadFamilies, selectFamilies } from "../engine/families.js";
import { loadSeedCorpus } from "../engine/seed-corpus.js";
import { randomSeed } from "../engine/seeds.js";
import type { Reporter } from "../events.js";
import { ORACLES } from "../oracles/index.js";
import { consoleReporter, fileReporter, isCanaryInOutputError, loadHistory } from "../report/index.js";
import { checkRunPaths } from "./check-paths.js";
import { AnswerLog, withAnswerLog } from "../targets/answer-log.js";
import { enrichingReporters, enrichReport, findingEnricher } from "./enrich.js";
import { checkSpec, describeTarget, keyringFor, openerFor, targetHealth } from "./target-spec.js";
import type { RunOptions, RunResult } from "./types.js";

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
  const families = selectFamilies(await loadFamilies(), options.only, options.skip);
  if (families.length === 0) throw new FailclosedError("USAGE", "no probe family left to run");
  const now = Math.floor(Date.now() / 1000);
  const runId = runIdFor(now, seed, options.shard);
  const reportDir = resolve(options.reportDir ?? join("reports", runId));
  const location = await checkRunPaths({ corpus: options.corpusDir, reportDir });
  // Read and checked before anything is fired: a bad seed document stops the run with its path.
  const corpus = await loadSeedCorpus(location.seeds);
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

  const workDir = await mkdtemp(join(tmpdir(), "failclosed-run-"));
  let scanned: ((text: string | Uint8Array) => string | undefined) | undefined;
  let jwkSets: readonly unknown[] = [];
  const answers = new AnswerLog();
  const openUnlogged = openerFor(spec, workDir);
  const openTarget: typeof openUnlogged = async (kut, at) =>
    withAnswerLog(await openUnlogged(kut, at), answers);
  const enrich = findingEnricher({
    spec,
    answers,
    jwkSets: () => jwkSets,
    scan: (text) => scanned?.(text),
    reportDir,
    cwd: process.cwd(),
    program: options.program ?? "npx failclosed",
  });
  const keyringUnderTest = keyringFor(spec);
  const external = spec.kind !== "reference";
  const inner: Reporter[] = [
    ...(options.console === undefined ? [] : [consoleReporter(options.console)]),
    fileReporter(
      reportDir,
      (text) => scanned?.(text),
      await loadHistory(resolve(options.historyDir ?? "reports")),
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
    replay: (family) =>
      replayCorpus(
        family,
        {
          openTarget,
          oracles: ORACLES,
          canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
          timeoutMs: options.timeoutMs ?? RUN_DEFAULTS.timeoutMs,
          ...(external ? { keyringUnderTest } : {}),
        },
        location.failures,
      ),
    reporters: [enrichingReporters(inner, enrich)],
  };
  try {
    const report = await runFuzz(config);
    return { kind: "report", report: await enrichReport(report, enrich), reportDir };
  } catch (error) {
    if (isCanaryInOutputError(error)) return { kind: "canary-in-output", detail: error.message, reportDir };
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
