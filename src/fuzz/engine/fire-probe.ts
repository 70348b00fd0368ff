import type { CloneSetup, Probe, Step } from "../types.js";
import { fireAndJudge, type FireContext, type Judgement } from "./fire.js";
import { fireScenario } from "./scenario.js";

/** What a family's value turned into besides its bytes: scenario steps or a clone to build. */
export interface ProbeExtras {
  readonly steps?: readonly Step[];
  readonly cloneSetup?: CloneSetup;
}

/**
 * Fires a probe the way its family needs: a scenario step by step, on a clone the target builds,
 * or as plain bytes. A target that cannot build clones makes the probe an error (inconclusive),
 * never a pass.
 */
export function fireProbe(probe: Probe, extras: ProbeExtras, ctx: FireContext): Promise<Judgement> {
  if (extras.steps !== undefined) return fireScenario(probe, extras.steps, ctx);
  const setup = extras.cloneSetup;
  if (setup === undefined) return fireAndJudge(probe, ctx);
  const onClone = ctx.target.fireOnClone?.bind(ctx.target);
  if (onClone === undefined) {
    return Promise.resolve({
      kind: "error",
      detail: `target ${ctx.target.name} cannot build clones for rehearsal probes (C1 families need the reference lane)`,
    });
  }
  return fireAndJudge(probe, ctx, (bytes, timeoutMs) => onClone(setup, bytes, timeoutMs));
}
