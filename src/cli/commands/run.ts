import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FailclosedError } from "../../kernel/errors.js";
import { canariesFromJwks, makeScanner } from "../../fuzz/canary/index.js";
import { parseBudget, parseHardLimit } from "../../fuzz/engine/budget.js";
import { runFuzz, runIdFor, type RunConfig } from "../../fuzz/engine/engine.js";
import { keyringUnderTestFromFiles } from "../../fuzz/keyring/external.js";
import { loadFamilies, selectFamilies } from "../../fuzz/engine/families.js";
import { replayCorpus } from "../../fuzz/corpus/corpus.js";
import { loadSeedCorpus } from "../../fuzz/engine/seed-corpus.js";
import { CORPORA_DIR } from "../../kernel/paths.js";
import { parseSeed, randomSeed } from "../../fuzz/engine/seeds.js";
import { parseShard } from "../../fuzz/engine/shard.js";
import { ORACLES } from "../../fuzz/oracles/index.js";
import {
  consoleReporter,
  fileReporter,
  isCanaryInOutputError,
  loadHistory,
} from "../../fuzz/report/index.js";
import { targetOpener } from "../../fuzz/targets/opener.js";
import { databaseLocation } from "../../lane/db/open.js";
import type { Report } from "../../fuzz/report-types.js";
import { parseFlags, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const RUN_USAGE = `Usage: failclosed run [options]

Fires every probe family at the target and judges every outcome (SPEC section 9). By default the
target is the reference lane in process, on embedded PGlite, with a keyring derived from the seed.
  --seed N               fast-check seed, 0 to 2147483647 (random unless given; always printed first)
  --runs N               probes per family (default: each family's minimum)
  --budget D             time for runs beyond each family's minimum, e.g. 90s, 30m (default 100s);
                         the minimum runs are always completed; start-up is not counted
  --hard-limit D         the only limit that can cut a family's minimum runs short (it is then
                         inconclusive, never passed): default 30m, or twice a longer budget
  --only IDS, --skip IDS family ids, comma-separated (e.g. P01,C01)
  --concurrency N        families at once (default 2)
  --timeout MS           per probe (default 15000)
  --shard I/N            run shard I of N: every family, with its share of runs and its own seeds
  --report-dir DIR       where reports go (default reports/<run-id>)
  --corpus DIR           seeds (DIR/<family>/seeds/) and saved failures (DIR/<family>/failures/)
                         (default: the corpora/ shipped with failclosed)
  --target URL           an HTTP gate (T2): http://HOST:PORT
  --target-cmd CMD       a child process speaking JSON lines (T3), run with /bin/sh -c
  --keyring K            the external target's test keyring: a private key of every role
  --database-url URL     the reference lane's clone on a real PostgreSQL server: an admin
                         connection; a scratch lane role, clone and production sentinel are
                         made for the run and dropped after (default: embedded PGlite)
Exit codes: 0 all closed and every control passed, 1 a finding, 2 inconclusive or usage,
3 a canary in failclosed's own output.`;

function ids(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(",").filter((id) => id !== "");
}

function positiveInteger(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < 1)
    throw new FailclosedError("USAGE", `${flag} takes a positive whole number`);
  return Number(text);
}

export function exitCodeOf(report: Report): ExitCode {
  const statuses = report.families.map((f) => f.status.kind);
  if (report.canary === "hit") return EXIT.CANARY;
  if (statuses.includes("finding")) return EXIT.NEGATIVE;
  if (statuses.includes("inconclusive") || report.interrupted) return EXIT.USAGE;
  return EXIT.OK;
}

export async function runCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      seed: { type: "string" },
      runs: { type: "string" },
      budget: { type: "string" },
      "hard-limit": { type: "string" },
      only: { type: "string" },
      skip: { type: "string" },
      concurrency: { type: "string" },
      timeout: { type: "string" },
      shard: { type: "string" },
      "report-dir": { type: "string" },
      corpus: { type: "string" },
      target: { type: "string" },
      "target-cmd": { type: "string" },
      keyring: { type: "string", multiple: true },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    RUN_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${RUN_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw usageError("run takes no positional arguments", RUN_USAGE);
  if (values.target !== undefined && values["target-cmd"] !== undefined) {
    throw usageError("--target and --target-cmd exclude each other", RUN_USAGE);
  }
  const external = values.target !== undefined || values["target-cmd"] !== undefined;
  const server = values["database-url"];
  if (server !== undefined) {
    if (external)
      throw usageError("--database-url is for the reference lane, not an external target", RUN_USAGE);
    databaseLocation({ databaseUrl: server }); // refuses what is not a postgres:// URL
  }
  if (external && values.keyring === undefined)
    throw usageError("an external target needs --keyring", RUN_USAGE);
  if (!external && values.keyring !== undefined) {
    throw usageError("--keyring is for external targets; the reference lane derives its own", RUN_USAGE);
  }
  const seed = values.seed === undefined ? randomSeed() : parseSeed(values.seed);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const budgetMs = parseBudget(values.budget ?? "100s");
  const hardLimitMs = parseHardLimit(values["hard-limit"], budgetMs);
  const families = selectFamilies(await loadFamilies(), ids(values.only), ids(values.skip));
  if (families.length === 0) throw usageError("no probe family left to run", RUN_USAGE);
  const corpusDir = resolve(values.corpus ?? CORPORA_DIR);
  // Read and checked before anything is fired: a bad seed stops the run with its path.
  const corpus = await loadSeedCorpus(corpusDir);
  const now = Math.floor(Date.now() / 1000);
  const runId = runIdFor(now, seed, shard);
  const reportDir = resolve(values["report-dir"] ?? join("reports", runId));
  io.stdout(`seed ${seed} (replay this run with --seed ${seed})\n`);

  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    io.stderr(
      `\n${signal}: stopping after the probes in flight; a partial report follows (again to force)\n`,
    );
    controller.abort(signal);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const workDir = await mkdtemp(join(tmpdir(), "failclosed-run-"));
  let scanned: ((text: string | Uint8Array) => string | undefined) | undefined;
  const keyringPaths = values.keyring;
  const openTarget = targetOpener({
    ...(values.target === undefined ? {} : { url: values.target }),
    ...(values["target-cmd"] === undefined ? {} : { command: values["target-cmd"] }),
    ...(server === undefined ? {} : { server }),
    workDir,
  });
  const config: RunConfig = {
    families,
    corpus,
    runId,
    now,
    seed,
    ...(shard === undefined ? {} : { shard }),
    ...(values.runs === undefined ? {} : { runs: positiveInteger(values.runs, "--runs", 1) }),
    budgetMs,
    hardLimitMs,
    concurrency: positiveInteger(values.concurrency, "--concurrency", 2),
    familyConcurrency: 2,
    timeoutMs: positiveInteger(values.timeout, "--timeout", 15_000),
    oracles: ORACLES,
    signal: controller.signal,
    canariesOf: (kut) => {
      const canaries = canariesFromJwks(kut.jwkSets);
      scanned = makeScanner(canaries);
      return canaries;
    },
    ...(keyringPaths === undefined
      ? {}
      : { keyringUnderTest: (salt: string) => keyringUnderTestFromFiles(keyringPaths, salt) }),
    freshTargets: !external,
    openTarget,
    replay: (family) =>
      replayCorpus(
        family,
        {
          openTarget,
          oracles: ORACLES,
          canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
          timeoutMs: 15_000,
          ...(keyringPaths === undefined
            ? {}
            : { keyringUnderTest: (salt: string) => keyringUnderTestFromFiles(keyringPaths, salt) }),
        },
        corpusDir,
      ),
    reporters: [
      consoleReporter({ stream: process.stderr, isTTY: process.stderr.isTTY }),
      fileReporter(reportDir, (text) => scanned?.(text), await loadHistory(resolve("reports"))),
    ],
  };
  try {
    const report = await runFuzz(config);
    io.stdout(`report ${reportDir}\n`);
    return exitCodeOf(report);
  } catch (error) {
    if (isCanaryInOutputError(error)) {
      io.stderr(`failclosed: CANARY_IN_OUTPUT: ${error.message}\n`);
      return EXIT.CANARY;
    }
    throw error;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
