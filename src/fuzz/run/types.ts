import type { Reporter } from "../events.js";
import type { ConsoleStream } from "../report/index.js";
import type { Report } from "../report-types.js";
import type { GateResult } from "../release/types.js";
import type { Finding } from "../types.js";
import type { Shard } from "../engine/shard.js";

/**
 * The system under test, as a user names it. An external target (HTTP or child) brings the
 * user's test keyring (a private key of every role); the reference lane derives its own from
 * the run's seed.
 */
export type TargetSpec =
  | {
      readonly kind: "reference";
      /** An admin connection for the reference lane's clone on a real server (default PGlite). */
      readonly databaseUrl?: string;
      /**
       * Fire in process only (T1); by default every generation is also served over HTTP (T2) and
       * JSON lines (T3) and probes go over all three (docs/operating.md, "Transports").
       */
      readonly inProcessOnly?: boolean;
    }
  | {
      readonly kind: "http";
      readonly url: string;
      readonly keyring: readonly string[];
      /** Time to answer the health check (default HEALTH_TIMEOUT_MS.http). */
      readonly healthTimeoutMs?: number;
    }
  | {
      readonly kind: "child";
      readonly command: string;
      readonly keyring: readonly string[];
      /** Time for a new child to answer its first line, its start included (default HEALTH_TIMEOUT_MS.child). */
      readonly healthTimeoutMs?: number;
    };

/** Everything `failclosed run` takes, as data. Every member has the command line's default. */
export interface RunOptions {
  /** Default: the reference lane in process. */
  readonly target?: TargetSpec;
  /** fast-check seed; default a fresh random one (reported in the result). */
  readonly seed?: number;
  /** Generated probes per family; default each family's minimum. */
  readonly runs?: number;
  /** Wall-clock budget in milliseconds; default 100 s. */
  readonly budgetMs?: number;
  /**
   * The only limit that can cut a family's minimum runs short (the family is then inconclusive);
   * default 30 minutes, or twice a longer budget.
   */
  readonly hardLimitMs?: number;
  /** Family ids to run or to leave out (unknown ids are a USAGE error). */
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  /**
   * The external target serves only the gate (no /v1/rehearse lane): the rehearsal families
   * (P07, P08, C02) are not fired and the report lists them as not applicable. The run's own
   * verdict then requires only what applies; `gate` does so only with --applicable.
   */
  readonly noLane?: boolean;
  /**
   * The external lane's clone hook (docs/operating.md): a command failclosed runs to provision
   * P07's clones on the user's side. Without one, P07 is not applicable to an external target
   * (the run then requires only what applies; `gate` does so only with --applicable).
   */
  readonly cloneCmd?: string;
  /** Families at once; default 2. */
  readonly concurrency?: number;
  /** Per probe, in milliseconds; default 15 s. */
  readonly timeoutMs?: number;
  readonly shard?: Shard;
  /** Where report files go; default reports/<run-id> under the working directory. */
  readonly reportDir?: string;
  /**
   * The whole corpus, seeds and saved failures (it must exist). Default: the seeds shipped with
   * failclosed, and saved failures in the project's failclosed/corpus/ (src/fuzz/corpus/location.ts).
   */
  readonly corpusDir?: string;
  /**
   * Where the run keeps what it throws away at its end (the reference lane's clones, snapshots,
   * ledger, evidence). Default: /dev/shm when it is a tmpfs with 1 GiB free, else the OS
   * temporary directory (src/kernel/scratch-dir.ts).
   */
  readonly scratchDir?: string;
  /** Earlier reports for the trend; default reports/ under the working directory. */
  readonly historyDir?: string;
  /** Stops the run after the probes in flight; the report is then partial (interrupted). */
  readonly signal?: AbortSignal;
  /** Where progress goes; default none (the command line passes stderr). */
  readonly console?: { readonly stream: ConsoleStream; readonly isTTY: boolean; readonly seedLine?: boolean };
  /** More reporters, after the console and the report files. */
  readonly reporters?: readonly Reporter[];
  /** How users start failclosed, for the replay commands printed in findings (default "npx failclosed"). */
  readonly program?: string;
  /** Called with the run's seed and report directory before anything is fired. */
  readonly onStart?: (start: {
    readonly seed: number;
    readonly runId: string;
    readonly reportDir: string;
  }) => void;
}

/**
 * How a run ended. Only "report" carries a report; the command line maps each kind to its exit
 * code (runExitCode). Nothing here is ever a pass unless the report says every family closed.
 */
export type RunResult =
  | {
      readonly kind: "report";
      readonly report: Report;
      readonly reportDir: string;
      /** The release gate over this one report, requiring what the run selected (runRequirement). */
      readonly gate: GateResult;
    }
  /** The target never answered before the first probe: nothing was judged, no finding made. */
  | { readonly kind: "target-down"; readonly target: string; readonly detail: string }
  /** A planted canary showed up in failclosed's own output: the report files were not written. */
  | { readonly kind: "canary-in-output"; readonly detail: string; readonly reportDir: string };

/** Everything `failclosed replay` takes, as data. */
export interface ReplayOptions {
  readonly finding: Finding;
  /**
   * Default: the target the finding records (a warning when another is given; the reference
   * lane is refused for a finding made on an external target).
   */
  readonly target?: TargetSpec;
  /** The test keyring for the recorded external target, when no target is given. */
  readonly keyring?: readonly string[];
  /** The external lane's clone hook, for a P07 finding (RunOptions.cloneCmd). */
  readonly cloneCmd?: string;
  /** The external target's health-check time (`--health-timeout`); a usage error on the reference lane. */
  readonly healthTimeoutMs?: number;
  /** Rebuild the bytes from seed and path instead of firing the saved bytes. */
  readonly regenerate?: boolean;
  /** The seed corpus to regenerate with; default the corpora/ shipped with failclosed. */
  readonly corpusDir?: string;
  /** Per probe, in milliseconds; default 15 s. */
  readonly timeoutMs?: number;
  /** RunOptions.scratchDir. */
  readonly scratchDir?: string;
  /** Warnings for the user (other versions, another target than the recorded one). */
  readonly warn?: (message: string) => void;
  /** Information for the user (whether regenerated bytes equal the saved ones). */
  readonly note?: (message: string) => void;
}

export type ReplayResult =
  | { readonly kind: "fail"; readonly oracle: string; readonly rule: string; readonly reason: string }
  | { readonly kind: "pass" }
  /** Could not judge (target down, harness error): never a pass. */
  | { readonly kind: "error"; readonly detail: string };
