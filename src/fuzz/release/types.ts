import type { ProbeRole } from "../types.js";

/** What the release gate requires of a set of reports. */
export interface GateRequirement {
  /** Attack families that must each be closed: RELEASE_FAMILIES, the ten of the "10/10". */
  readonly families: readonly string[];
  /**
   * Control families that must each have run and held. When omitted, at least one control family
   * must have run: without a control, a gate that refuses everything would earn 10/10 (F5).
   */
  readonly controls?: readonly string[];
  /**
   * Excuse the families every report lists as not applicable to its target (a gate without a
   * lane: P07, P08): they leave the pass rate's denominator instead of failing it. Off by default,
   * so a release gate never passes on fewer families unless it was told to.
   */
  readonly applicable?: boolean;
}

/**
 * Why the gate failed, by the exit code it maps to: canary 3; finding, control and blind (a planted
 * flaw the calibration did not find) 1; inconclusive, missing and interrupted 2.
 */
export type GateProblemKind =
  "canary" | "finding" | "control" | "blind" | "inconclusive" | "missing" | "interrupted";

export interface GateProblem {
  readonly kind: GateProblemKind;
  readonly family?: string;
  readonly message: string;
}

/** One family merged over every report that ran it. */
export type GateFamily =
  | {
      readonly verdict: "closed" | "finding" | "inconclusive" | "too-few-runs";
      readonly family: string;
      readonly name: string;
      readonly role: ProbeRole;
      /** Summed over the reports (shards) that ran it. */
      readonly runs: number;
      /** The largest minRuns any report states: the stricter reading wins. */
      readonly minRuns: number;
      readonly reports: number;
      readonly findings: number;
    }
  | { readonly verdict: "missing"; readonly family: string; readonly role: ProbeRole }
  /** Left out of every report as not applicable to its target. */
  | {
      readonly verdict: "not-applicable";
      readonly family: string;
      readonly name: string;
      readonly role: ProbeRole;
      readonly why: string;
    };

export type GateResult =
  | {
      readonly kind: "pass";
      /** "10/10". */
      readonly passRate: string;
      readonly closed: number;
      readonly required: number;
      readonly families: readonly GateFamily[];
      readonly reports: number;
      /** Required families excused as not applicable (GateRequirement.applicable). */
      readonly excused: readonly string[];
    }
  | {
      readonly kind: "fail";
      /** "N/10", N the required attack families closed. */
      readonly passRate: string;
      readonly closed: number;
      readonly required: number;
      readonly families: readonly GateFamily[];
      readonly reports: number;
      readonly excused: readonly string[];
      /** One line per problem, in the order found. */
      readonly reasons: readonly string[];
      readonly problems: readonly GateProblem[];
    };
