import type { Oracle, OracleInput, Outcome, Probe, StateSnapshot, Target } from "../types.js";

/** What one probe came to, across every oracle that applies to it. */
export type Judgement =
  | { readonly kind: "pass" }
  | { readonly kind: "fail"; readonly oracle: Oracle; readonly reason: string }
  | { readonly kind: "error"; readonly detail: string };

export interface FireContext {
  readonly target: Target;
  readonly oracles: readonly Oracle[];
  readonly timeoutMs: number;
  readonly canaries: readonly string[];
  readonly sealedBy: OracleInput["sealedBy"];
}

/**
 * Fires one probe and asks every applicable oracle. A target that hung or crashed is restarted
 * after judging; an oracle that throws is an error, never a pass (DESIGN: errors are never a pass).
 */
export async function fireAndJudge(
  probe: Probe,
  ctx: FireContext,
  via?: (bytes: Uint8Array, timeoutMs: number) => Promise<Outcome>,
): Promise<Judgement> {
  const { target } = ctx;
  let before;
  try {
    before = probe.role === "attack" ? await target.state?.(probe.operation) : undefined;
  } catch (error) {
    return { kind: "error", detail: `state before probe: ${String(error)}` };
  }
  const outcome =
    via === undefined
      ? await target.fire(probe.operation, probe.bytes, ctx.timeoutMs)
      : await via(probe.bytes, ctx.timeoutMs);
  if (outcome.kind === "harness_error") return { kind: "error", detail: outcome.detail };
  if (outcome.kind === "timed_out" || outcome.kind === "crashed") {
    await target.restart().catch(() => undefined);
  }
  let after;
  try {
    after =
      before === undefined || outcome.kind !== "responded"
        ? undefined
        : await target.state?.(probe.operation);
  } catch (error) {
    return { kind: "error", detail: `state after probe: ${String(error)}` };
  }
  return judgeOutcome(probe, outcome, ctx, before, after);
}

/** Asks every oracle that applies to this probe's role about one outcome. */
export async function judgeOutcome(
  probe: Probe,
  outcome: Outcome,
  ctx: FireContext,
  before?: StateSnapshot,
  after?: StateSnapshot,
): Promise<Judgement> {
  const applicable = ctx.oracles.filter((o) => o.appliesTo === "all" || o.appliesTo === probe.role);
  const input: OracleInput = {
    probe,
    outcome,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
    canaries: ctx.canaries,
    sealedBy: ctx.sealedBy,
  };
  let error: string | undefined;
  for (const oracle of applicable) {
    let verdict;
    try {
      verdict = await oracle.judge(input);
    } catch (thrown) {
      verdict = { kind: "error" as const, detail: `oracle ${oracle.name} threw: ${String(thrown)}` };
    }
    switch (verdict.kind) {
      case "fail":
        return { kind: "fail", oracle, reason: verdict.reason };
      case "error":
        error ??= `${oracle.name}: ${verdict.detail}`;
        break;
      case "pass":
        break;
    }
  }
  return error === undefined ? { kind: "pass" } : { kind: "error", detail: error };
}
