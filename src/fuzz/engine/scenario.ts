import { decodeDocument } from "../../lane/index.js";
import type { Finding, Oracle, Probe, Step } from "../types.js";
import { fireAndJudge, judgeOutcome, type FireContext, type Judgement } from "./fire.js";

/** Names the judgement of a race: more than one ALLOW is a double spend, none a refused control. */
export const RACE_ORACLE: Oracle = {
  name: "double-spend",
  rule: "F1",
  appliesTo: "attack",
  judge: () => Promise.resolve({ kind: "pass" }),
};

function allowed(body: Uint8Array): boolean {
  const verdict = decodeDocument("verdict", body);
  return verdict.ok && verdict.value.verdict === "ALLOW";
}

/**
 * Copies of one request fired at once: each answer is judged by the oracles that apply to every
 * probe (leaks, structure), and exactly one of them may be an ALLOW (G5).
 */
async function fireRace(probe: Probe, copies: number, ctx: FireContext): Promise<Judgement> {
  const generic = { ...ctx, oracles: ctx.oracles.filter((o) => o.appliesTo === "all") };
  const outcomes = await Promise.all(
    Array.from({ length: copies }, () => ctx.target.fire(probe.operation, probe.bytes, ctx.timeoutMs)),
  );
  let allows = 0;
  for (const outcome of outcomes) {
    if (outcome.kind === "harness_error") return { kind: "error", detail: outcome.detail };
    // Judged as a control: the one copy that is allowed rightly carries a permit.
    const judged = await judgeOutcome({ ...probe, role: "control" }, outcome, generic);
    if (judged.kind !== "pass") return judged;
    if (outcome.kind === "responded" && allowed(outcome.body)) allows++;
  }
  if (outcomes.some((o) => o.kind === "timed_out" || o.kind === "crashed"))
    await ctx.target.restart().catch(() => undefined);
  if (allows > 1) {
    return {
      kind: "fail",
      oracle: RACE_ORACLE,
      reason: `${allows} of ${copies} concurrent copies were allowed: double spend (G5)`,
    };
  }
  if (allows === 0) {
    return {
      kind: "fail",
      oracle: RACE_ORACLE,
      reason: `none of ${copies} concurrent copies of a fully authorised request was allowed (F5)`,
    };
  }
  return { kind: "pass" };
}

/** Fires a scenario's steps in order; the first step whose judgement is not a pass decides. */
export async function fireScenario(
  base: Probe,
  steps: readonly Step[],
  ctx: FireContext,
): Promise<Judgement> {
  for (const step of steps) {
    const probe: Probe = { ...base, bytes: step.bytes, role: step.kind === "setup" ? "control" : "attack" };
    let judgement: Judgement;
    switch (step.kind) {
      case "setup":
      case "attack":
        judgement = await fireAndJudge(probe, ctx);
        break;
      case "race":
        judgement = await fireRace(probe, step.copies, ctx);
        break;
    }
    if (judgement.kind !== "pass") return judgement;
  }
  return { kind: "pass" };
}

export function encodeSteps(steps: readonly Step[]): NonNullable<Finding["steps"]> {
  return steps.map((s) => ({
    kind: s.kind,
    copies: s.kind === "race" ? s.copies : 1,
    bytesB64: Buffer.from(s.bytes).toString("base64"),
  }));
}

export function decodeSteps(encoded: NonNullable<Finding["steps"]>): Step[] {
  return encoded.map((s) => {
    const bytes = Buffer.from(s.bytesB64, "base64");
    return s.kind === "race" ? { kind: "race", bytes, copies: s.copies } : { kind: s.kind, bytes };
  });
}
