import type { FaultName } from "../faults/fault-name.js";
import type { CloneSetup, Judgement, Probe, Step } from "../types.js";
import { fireAndJudge, type FireContext } from "./fire.js";
import { fireScenario } from "./scenario.js";

/** What a family's value turned into besides its bytes: scenario steps or a clone to build. */
export interface ProbeExtras {
  readonly steps?: readonly Step[];
  readonly cloneSetup?: CloneSetup;
  /** The fault a fault-drill probe is fired under (faults/catalogue.ts). */
  readonly fault?: FaultName;
}

/**
 * Fires a probe the way its family needs: a scenario step by step, under a fault the target
 * provokes, on a clone the target builds, or as plain bytes. A scenario spends grants by design, so it holds the state lock alone from its
 * first step to its last. A target that cannot build clones makes the probe an error
 * (inconclusive), never a pass.
 */
export async function fireProbe(probe: Probe, extras: ProbeExtras, ctx: FireContext): Promise<Judgement> {
  const steps = extras.steps;
  if (steps !== undefined) {
    const scenario = (): Promise<Judgement> => fireScenario(probe, steps, ctx);
    return ctx.stateLock === undefined ? scenario() : ctx.stateLock.exclusive(scenario, probe.operation);
  }
  const fault = extras.fault;
  if (fault !== undefined) {
    const underFault = ctx.target.fireUnderFault?.bind(ctx.target);
    if (underFault === undefined)
      return {
        kind: "error",
        detail: `target ${ctx.target.name} cannot provoke fault ${fault} (fault drills need the reference lane)`,
      };
    // Judged as an attack whatever the bytes: under a fault even a valid request must be refused.
    return fireAndJudge(probe, ctx, (bytes, timeoutMs) =>
      underFault(fault, probe.operation, bytes, timeoutMs),
    );
  }
  const setup = extras.cloneSetup;
  if (setup === undefined) return fireAndJudge(probe, ctx);
  const onClone = ctx.target.fireOnClone?.bind(ctx.target);
  if (onClone === undefined) {
    return {
      kind: "error",
      detail: `target ${ctx.target.name} cannot build clones for rehearsal probes (C1 families need the reference lane)`,
    };
  }
  return fireAndJudge(probe, ctx, (bytes, timeoutMs) => onClone(setup, bytes, timeoutMs));
}
