import { basename, isAbsolute, relative } from "node:path";
import { FailclosedError } from "../../kernel/errors.js";
import { parseBudget, parseDuration, parseHardLimit } from "../../fuzz/engine/budget.js";
import { parseSeed } from "../../fuzz/engine/seeds.js";
import { parseShard } from "../../fuzz/engine/shard.js";
import { reportExitCode, runExitCode, runFailclosed, type TargetSpec } from "../../fuzz/run/index.js";
import { databaseLocation } from "../../lane/db/open.js";
import { parseFlags, scratchDirFrom, scratchUsage, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const RUN_USAGE = `Usage: failclosed run [options]

Fires every probe family at the target and judges every outcome (SPEC section 9). By default the
target is the reference lane in process, on embedded PGlite, with a keyring derived from the seed.
  --seed N               fast-check seed, 0 to 2147483647 (random unless given; always printed first)
  --runs N               runs per family (default: each family's minimum; fewer than a
                         family's minimum leaves it inconclusive, exit 2)
  --budget D             time for runs beyond each family's minimum, e.g. 90s, 30m (default 100s);
                         the minimum runs are always completed; start-up is not counted
  --hard-limit D         the only limit that can cut a family's minimum runs short (it is then
                         inconclusive, never passed): default 30m, or twice a longer budget
  --only IDS, --skip IDS family ids, comma-separated (e.g. P01,C01); the run's verdict then
                         requires only the attack families selected
  --concurrency N        families at once (default 2)
  --timeout MS           per probe (default 15000)
  --shard I/N            run shard I of N: every family, with its share of runs and its own seeds
  --report-dir DIR       where reports go (default reports/<run-id>)
  --corpus DIR           seeds (DIR/<family>/seeds/) and saved failures (DIR/<family>/failures/)
                         (default: the seeds shipped with failclosed, and saved failures in the
                         project's failclosed/corpus/); a --corpus that does not exist is an error
${scratchUsage(25)}
External targets (your own gate; see README "Fuzz your own gate"):
  --target URL           an HTTP gate (T2): http://HOST:PORT; GET /healthz must answer 200
  --target-cmd CMD       a child process speaking JSON lines (T3), run with /bin/sh -c
  --health-timeout D     time the target has to answer its health check before the first probe
                         and after a crash, e.g. 2m (default 10s for --target, 60s for
                         --target-cmd, a child's start included)
  --keyring K            the external target's test keyring: a private key of every role
                         (repeat for several files)
  --no-lane              the target serves only the gate: P07, P08 and C02 are reported as not
                         applicable instead of fired (the run requires only what applies;
                         failclosed gate does so with --applicable)
  --clone-cmd CMD        your lane's clone hook, run with /bin/sh -c: failclosed asks it which
                         database the clone is, to install each P07 marker (or none) and
                         production identity, and to put the clean clone back after (JSON on
                         stdin/stdout, 120 s each; docs/operating.md "the clone hook"). A hook
                         that fails makes the probe inconclusive. Without it, P07 is reported
                         as not applicable and the run requires only what applies
  Before the first probe the target must answer (HTTP: /healthz; child: one line to a request
  of {}); one that does not ends the run at once: TARGET_DOWN, exit 2, no findings. A probe
  that crashes or hangs the target is a finding only if the target, brought back, fails the
  same way on the same bytes; a target that cannot be brought back makes the family
  inconclusive.
Reference lane only:
  --database-url URL     the reference lane's clone on a real PostgreSQL server: an admin
                         connection; a scratch lane role, clone and production sentinel are
                         made for the run and dropped after (default: embedded PGlite)
  --in-process-only      fire in process (T1) only; by default the reference lane is also
                         served over HTTP (T2, 127.0.0.1) and JSON lines (T3), each probe goes
                         over the transport its bytes pick, and a refused gate request over the
                         other two as well, which must answer the same (differential oracle)
Each finding (DIR/findings/<id>.json) records the target, the keyring's thumbprints, the answer
received, its seals decoded and the replay command to paste (with a curl line for HTTP).
Exit codes: 0 all closed and every control passed, 1 a finding, 2 inconclusive, the target
down, or usage, 3 a canary in failclosed's own output. The pass rate printed last and the exit
code come from the same release gate.`;

/** The exit code of a finished report (kept for callers that hold a report, not a RunResult). */
export const exitCodeOf = reportExitCode;

/** How the user started failclosed, so the replay commands printed can be pasted as they are. */
function invokedAs(): string {
  const script = process.argv[1] ?? "";
  if (basename(script) === "failclosed")
    return script.includes("node_modules") ? "npx failclosed" : "failclosed";
  const rel = relative(process.cwd(), script);
  return `node ${rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : script}`;
}

function ids(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(",").filter((id) => id !== "");
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < 1)
    throw new FailclosedError("USAGE", `${flag} takes a positive whole number`);
  return Number(text);
}

type RunValues = ReturnType<typeof parseRunFlags>["values"];

function parseRunFlags(args: readonly string[]) {
  return parseFlags(
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
      "health-timeout": { type: "string" },
      keyring: { type: "string", multiple: true },
      "database-url": { type: "string" },
      "in-process-only": { type: "boolean" },
      "no-lane": { type: "boolean" },
      "clone-cmd": { type: "string" },
      "scratch-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    RUN_USAGE,
  );
}

/** --target, --target-cmd, --keyring and --database-url as one target, or a usage error. */
function targetOf(values: RunValues): TargetSpec {
  const { target: url, "target-cmd": command, keyring, "database-url": server } = values;
  const inProcessOnly = values["in-process-only"] === true ? { inProcessOnly: true } : {};
  if (url !== undefined && command !== undefined)
    throw usageError("--target and --target-cmd exclude each other", RUN_USAGE);
  const external = url !== undefined || command !== undefined;
  if (server !== undefined && external)
    throw usageError("--database-url is for the reference lane, not an external target", RUN_USAGE);
  if (values["in-process-only"] === true && external)
    throw usageError("--in-process-only is for the reference lane, not an external target", RUN_USAGE);
  if (external && keyring === undefined) throw usageError("an external target needs --keyring", RUN_USAGE);
  if (!external && keyring !== undefined)
    throw usageError("--keyring is for external targets; the reference lane derives its own", RUN_USAGE);
  const health = values["health-timeout"];
  if (health !== undefined && !external)
    throw usageError("--health-timeout is for an external target (--target or --target-cmd)", RUN_USAGE);
  const healthTimeout =
    health === undefined ? {} : { healthTimeoutMs: parseDuration(health, "--health-timeout") };
  if (url !== undefined) return { kind: "http", url, keyring: keyring ?? [], ...healthTimeout };
  if (command !== undefined) return { kind: "child", command, keyring: keyring ?? [], ...healthTimeout };
  if (server === undefined) return { kind: "reference", ...inProcessOnly };
  databaseLocation({ databaseUrl: server }); // refuses what is not a postgres:// URL
  return { kind: "reference", databaseUrl: server, ...inProcessOnly };
}

export async function runCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseRunFlags(args);
  if (values.help === true) {
    io.stdout(`${RUN_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw usageError("run takes no positional arguments", RUN_USAGE);
  const target = targetOf(values);
  if (values["clone-cmd"] !== undefined && target.kind === "reference")
    throw usageError("--clone-cmd is for an external target (--target or --target-cmd)", RUN_USAGE);
  const runs = positiveInteger(values.runs, "--runs");
  const concurrency = positiveInteger(values.concurrency, "--concurrency");
  const timeoutMs = positiveInteger(values.timeout, "--timeout");
  const only = ids(values.only);
  const skip = ids(values.skip);

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
  try {
    const result = await runFailclosed({
      target,
      ...(values.seed === undefined ? {} : { seed: parseSeed(values.seed) }),
      ...(runs === undefined ? {} : { runs }),
      ...(values.budget === undefined ? {} : { budgetMs: parseBudget(values.budget) }),
      ...(values["hard-limit"] === undefined
        ? {}
        : { hardLimitMs: parseHardLimit(values["hard-limit"], parseBudget(values.budget ?? "100s")) }),
      ...(only === undefined ? {} : { only }),
      ...(skip === undefined ? {} : { skip }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(values.shard === undefined ? {} : { shard: parseShard(values.shard) }),
      ...(values["report-dir"] === undefined ? {} : { reportDir: values["report-dir"] }),
      ...(values.corpus === undefined ? {} : { corpusDir: values.corpus }),
      ...(values["no-lane"] === true ? { noLane: true } : {}),
      ...(values["clone-cmd"] === undefined ? {} : { cloneCmd: values["clone-cmd"] }),
      ...scratchDirFrom(values["scratch-dir"], io.env),
      signal: controller.signal,
      // One seed line: the one onStart prints on stdout, not a second from the console on stderr.
      console: { stream: process.stderr, isTTY: process.stderr.isTTY, seedLine: false },
      program: invokedAs(),
      onStart: ({ seed }) => io.stdout(`seed ${seed} (replay this run with --seed ${seed})\n`),
    });
    switch (result.kind) {
      case "report":
        if (result.report.shard !== undefined) {
          const { index, total } = result.report.shard;
          io.stderr(
            `shard ${index}/${total}: the pass rate above judges this shard's share; the release verdict is failclosed gate over all ${total} shards\n`,
          );
        }
        io.stdout(`report ${result.reportDir}\n`);
        break;
      case "target-down":
        io.stderr(`failclosed: TARGET_DOWN: ${result.detail}\n`);
        break;
      case "canary-in-output":
        io.stderr(`failclosed: CANARY_IN_OUTPUT: ${result.detail}\n`);
        break;
    }
    return runExitCode(result);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
