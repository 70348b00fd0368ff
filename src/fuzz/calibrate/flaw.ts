/**
 * One planted flaw of the calibration catalogue: a component of the reference lane swapped for a
 * realistic flawed one, and what the fuzzer must show when it meets it (issue #15). An entry says
 * which families should find it and by which oracles, what it swaps and the real-world mistake it
 * models; `calibrate` runs exactly those families against the lane with the flaw in place.
 */
import type { Service } from "../../lane/index.js";
import type { ReferenceComponents } from "../targets/reference.js";

/** Where the flaw sits: a gate or lane seam in process, or a transport the lane is served over. */
export type FlawSwap =
  | { readonly kind: "component"; readonly components: ReferenceComponents }
  /** The gate served by the real HTTP server (T2), its service wrapped by the flaw. */
  | { readonly kind: "http"; readonly wrap: (service: Service) => Service }
  /** The gate served by the real JSON-lines server (T3), its service wrapped by the flaw. */
  | { readonly kind: "json-lines"; readonly wrap: (service: Service) => Service };

export type FlawOracle =
  "verdict" | "double-spend" | "leak" | "echo" | "state" | "structured" | "sequence" | "metamorphic";

export interface Flaw {
  /** Stable, lower-case: reports and `--flaws` name it. */
  readonly id: string;
  /** The families expected to find it; calibrate runs only these (those still enabled). */
  readonly families: readonly string[];
  /** The oracles whose confirmed finding counts as finding it. */
  readonly oracles: readonly FlawOracle[];
  /** The part swapped, e.g. "gate.optionPermits" or "transport.http". */
  readonly component: string;
  /** The real-world mistake it models, in a few words. */
  readonly models: string;
  /**
   * What the finding's description must show, when a family can trip over something else first:
   * then the finding is the flaw's, not an accident of the run.
   */
  readonly shows?: RegExp;
  /** Per probe, when the flaw's probes reach a slow clone (default the run's timeout). */
  readonly timeoutMs?: number;
  readonly swap: FlawSwap;
}
