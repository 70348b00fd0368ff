import type { FamilyResult, Finding, Operation, OutcomeKind, ProbeRole } from "./types.js";
import type { Report } from "./report-types.js";

/** The engine's one event stream; reporters subscribe and never see unredacted data. */
export type EngineEvent =
  | {
      readonly type: "run-start";
      readonly runId: string;
      readonly seed: number;
      readonly target: string;
      readonly families: readonly {
        readonly id: string;
        readonly role: ProbeRole;
        readonly operation: Operation;
      }[];
      /** Bounds only the runs beyond each family's floor, counted from the first probe. */
      readonly budgetMs: number;
      /** The one limit that can cut a floor short (the run is then inconclusive), from the first probe. */
      readonly hardLimitMs?: number;
    }
  | {
      readonly type: "family-start";
      readonly family: string;
      readonly seed: number;
      readonly minRuns: number;
    }
  | {
      readonly type: "probe";
      readonly family: string;
      readonly runs: number;
      readonly outcome: OutcomeKind;
      readonly elapsedMs: number;
    }
  | { readonly type: "finding"; readonly finding: Finding }
  | { readonly type: "family-end"; readonly result: FamilyResult }
  | { readonly type: "interrupted"; readonly signal: string }
  | { readonly type: "run-end"; readonly report: Report };

/** One reporter interface of optional hooks (as vitest's), each receiving read-only views. */
export interface Reporter {
  onRunStart?(event: Extract<EngineEvent, { type: "run-start" }>): void | Promise<void>;
  onFamilyStart?(event: Extract<EngineEvent, { type: "family-start" }>): void | Promise<void>;
  onProbe?(event: Extract<EngineEvent, { type: "probe" }>): void | Promise<void>;
  onFinding?(event: Extract<EngineEvent, { type: "finding" }>): void | Promise<void>;
  onFamilyEnd?(event: Extract<EngineEvent, { type: "family-end" }>): void | Promise<void>;
  onInterrupted?(event: Extract<EngineEvent, { type: "interrupted" }>): void | Promise<void>;
  onRunEnd?(event: Extract<EngineEvent, { type: "run-end" }>): void | Promise<void>;
}
