import type { FamilyResult, Versions } from "./types.js";

/**
 * A run's report (reports/<run-id>/report.json, validated by schemas/report.schema.json). The
 * release gate reads only these; merged shards must add up to every family closed.
 */
export interface Report {
  readonly kind: "failclosed-report";
  readonly v: 1;
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seed: number;
  readonly target: string;
  readonly shard?: { readonly index: number; readonly total: number };
  readonly versions: Versions;
  /** Every family that ran in this run (attacks and controls). */
  readonly families: readonly FamilyResult[];
  /**
   * Families left out because they cannot apply to this target (a gate without a lane has no
   * rehearsals to attack); the release gate excuses them only when told to (--applicable).
   */
  readonly notApplicable?: readonly {
    readonly family: string;
    readonly name: string;
    readonly why: string;
  }[];
  /** Saved failures (corpora/<family>/failures/) fired again before generating, and how many still fail. */
  readonly savedFailures?: { readonly replayed: number; readonly stillFailing: number };
  /** A canary from the keyring under test appeared in the run's own output. */
  readonly canary: "clean" | "hit";
  /** The run was stopped by SIGINT or SIGTERM: the report is partial. */
  readonly interrupted: boolean;
  readonly totals: {
    readonly probes: number;
    readonly findings: number;
    readonly elapsedMs: number;
    readonly probesPerSecond: number;
  };
}
