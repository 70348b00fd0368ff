import { answerOf } from "../oracles/answer.js";
import { judgeAll, oracleInput } from "../oracles/judge.js";
import type { Finding, Judgement, Outcome, Probe, Step, StepPlace, Target } from "../types.js";
import { fireOnce, restartAfter, withRestartFailure, type FireContext } from "./fire.js";

/** Of several judgements of one step, the first failure, else the first error, else a pass. */
function worst(judgements: readonly Judgement[]): Judgement {
  return (
    judgements.find((j) => j.kind === "fail") ??
    judgements.find((j) => j.kind === "error") ?? { kind: "pass" }
  );
}

/**
 * Copies of one request fired at once. Each answer is decoded once and every copy is judged by
 * the oracles for a race: leaks and structure on its own answer, the race oracle (G5: exactly one
 * allowed) on all of them.
 */
/** The copies in flight together: through the target's own batch when it has one (in process). */
async function fireCopies(
  target: Target,
  probe: Probe,
  copies: number,
  timeoutMs: number,
): Promise<Outcome[]> {
  if (target.fireCopies === undefined)
    return Promise.all(
      Array.from({ length: copies }, () => target.fire(probe.operation, probe.bytes, timeoutMs)),
    );
  const outcomes = await target.fireCopies(probe.operation, probe.bytes, copies, timeoutMs);
  if (outcomes.length === copies) return outcomes;
  // A target that lost or invented copies cannot be judged: never a pass.
  const detail = `${target.name}: ${copies} copies fired, ${outcomes.length} outcomes returned`;
  return Array.from({ length: copies }, (): Outcome => ({ kind: "harness_error", detail }));
}

async function fireRace(probe: Probe, copies: number, step: StepPlace, ctx: FireContext): Promise<Judgement> {
  const outcomes = await fireCopies(ctx.target, probe, copies, ctx.timeoutMs);
  const restartFailure = await restartAfter(outcomes, ctx.target, ctx.canaries);
  const answers = outcomes.map((outcome) => answerOf(probe.operation, outcome));
  const judgements = await Promise.all(
    outcomes.map((outcome, copy) =>
      judgeAll(
        ctx.oracles,
        oracleInput({
          probe,
          expectation: "race",
          outcome,
          answer: answers[copy] ?? { kind: "none" },
          step,
          race: { copy, answers },
          canaries: ctx.canaries,
          sealedBy: ctx.sealedBy,
        }),
      ),
    ),
  );
  return withRestartFailure(worst(judgements), restartFailure);
}

/**
 * Fires a scenario's steps in order, the caller holding the state lock alone: setups are expected
 * allowed (the sequence oracle), attacks refused, races judged together. The first step whose
 * judgement is not a pass decides.
 */
export async function fireScenario(
  base: Probe,
  steps: readonly Step[],
  ctx: FireContext,
): Promise<Judgement> {
  for (const [index, step] of steps.entries()) {
    const place: StepPlace = { index, count: steps.length };
    const probe: Probe = { ...base, bytes: step.bytes };
    let judgement: Judgement;
    switch (step.kind) {
      case "setup":
      case "attack":
        judgement = await fireOnce(probe, step.kind, ctx, { step: place });
        break;
      case "race":
        judgement = await fireRace(probe, step.copies, place, ctx);
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
