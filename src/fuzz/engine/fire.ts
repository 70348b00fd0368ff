/**
 * Fires one request and hands its outcome to the one judging path (oracles/judge.ts): state read
 * around attacks (F3), the answer decoded once, every applicable oracle asked.
 */
import { judgeAll, oracleInput } from "../oracles/judge.js";
import { redactedError } from "../oracles/redact.js";
import type {
  Expectation,
  Judgement,
  MetamorphicKeys,
  Oracle,
  OracleInput,
  Outcome,
  Probe,
  StateSnapshot,
  StepPlace,
  Target,
  VariantFiring,
} from "../types.js";
import type { StateLock } from "./state-lock.js";

export type { Judgement } from "../types.js";

export interface FireContext {
  readonly target: Target;
  readonly oracles: readonly Oracle[];
  readonly timeoutMs: number;
  readonly canaries: readonly string[];
  readonly sealedBy: OracleInput["sealedBy"];
  /**
   * The run's lock between attacks' state snapshots and what changes the state by design
   * (state-lock.ts). Absent where one request is fired at a time (a replay, a unit test).
   */
  readonly stateLock?: StateLock;
  /** The run's keys, clock and salt, for the metamorphic oracle's variants; absent: none fired. */
  readonly metamorphic?: MetamorphicKeys;
}

export interface FireOptions {
  readonly via?: (bytes: Uint8Array, timeoutMs: number) => Promise<Outcome>;
  readonly step?: StepPlace;
}

/**
 * Brings the target back after a hang or a crash, at once and inside the caller's hold of the
 * state lock: the next probe, whoever fires it, meets a target restarted once. (A restart put off
 * until the lock is free could stop a target another probe had just brought back: a child process
 * started afresh, an in-process generation opened again.) Returns why the restart failed, if it
 * did, for the judgement to say (withRestartFailure): never swallowed.
 */
export async function restartAfter(
  outcomes: readonly Outcome[],
  target: Target,
  canaries: readonly string[],
): Promise<string | undefined> {
  if (!outcomes.some((o) => o.kind === "timed_out" || o.kind === "crashed")) return undefined;
  try {
    await target.restart();
    return undefined;
  } catch (error) {
    return `the target could not be restarted after it: ${redactedError(error, canaries)}`;
  }
}

/**
 * A judgement that also says the restart after it failed: a failure keeps its oracle (the crash
 * or hang is still the target's) with the reason extended; anything else cannot be trusted and is
 * an error, so the family is inconclusive, never closed.
 */
export function withRestartFailure(judgement: Judgement, why: string | undefined): Judgement {
  if (why === undefined) return judgement;
  switch (judgement.kind) {
    case "fail":
      return { ...judgement, reason: `${judgement.reason}; ${why}` };
    case "error":
      return { ...judgement, detail: `${judgement.detail}; ${why}` };
    case "pass":
      return { kind: "error", detail: why };
  }
}

/**
 * How often a probe is fired again when the system under test was replaced between its two state
 * snapshots (another probe hung): F3 cannot compare across generations, and a family must not turn
 * inconclusive because a sibling probe hung.
 */
const GENERATION_ATTEMPTS = 3;

/** Fires one request expected as `expectation` and judges it; a hang or a crash restarts the target. */
export async function fireOnce(
  probe: Probe,
  expectation: Expectation,
  ctx: FireContext,
  options: FireOptions = {},
): Promise<Judgement> {
  for (let attempt = 1; ; attempt += 1) {
    const fired = await fireOnceOnOneGeneration(probe, expectation, ctx, options);
    if (fired.kind === "judged") return fired.judgement;
    if (attempt >= GENERATION_ATTEMPTS)
      return {
        kind: "error",
        detail: `state after probe: the system under test was replaced while the probe ran, ${String(attempt)} times in a row`,
      };
  }
}

type OneGeneration =
  { readonly kind: "judged"; readonly judgement: Judgement } | { readonly kind: "replaced" };

async function fireOnceOnOneGeneration(
  probe: Probe,
  expectation: Expectation,
  ctx: FireContext,
  options: FireOptions,
): Promise<OneGeneration> {
  const judged = (judgement: Judgement): OneGeneration => ({ kind: "judged", judgement });
  const { target } = ctx;
  const failed = (where: string, error: unknown): Judgement => ({
    kind: "error",
    detail: `${where}: ${redactedError(error, ctx.canaries)}`,
  });
  let before: StateSnapshot | undefined;
  try {
    before = expectation === "attack" ? await target.state?.(probe.operation) : undefined;
  } catch (error) {
    return judged(failed("state before probe", error));
  }
  const outcome =
    options.via === undefined
      ? await target.fire(probe.operation, probe.bytes, ctx.timeoutMs)
      : await options.via(probe.bytes, ctx.timeoutMs);
  const restartFailure = await restartAfter([outcome], target, ctx.canaries);
  let after: StateSnapshot | undefined;
  try {
    after =
      before === undefined || outcome.kind !== "responded"
        ? undefined
        : await target.state?.(probe.operation);
  } catch (error) {
    return judged(failed("state after probe", error));
  }
  const variants = variantFiring(probe, ctx, options);
  const judge = (state: { before?: StateSnapshot; after?: StateSnapshot }): Promise<Judgement> =>
    judgeAll(
      ctx.oracles,
      oracleInput({
        probe,
        expectation,
        outcome,
        ...(options.step === undefined ? {} : { step: options.step }),
        ...(variants === undefined ? {} : { variants }),
        ...state,
        canaries: ctx.canaries,
        sealedBy: ctx.sealedBy,
      }),
    );
  if (after !== undefined && before?.generation !== after.generation) {
    // F3 cannot be judged across generations, but what the answer itself shows (an ALLOW, a leak)
    // stands: only a probe whose answer was clean is fired again.
    const answerOnly = await judge({});
    return answerOnly.kind === "pass" ? { kind: "replaced" } : judged(answerOnly);
  }
  const judgement = await judge({
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
  });
  return judged(withRestartFailure(judgement, restartFailure));
}

/**
 * Variants of a plain probe go to the same target, one at a time, each restarted after if it hung
 * or crashed. Scenario steps and clone probes get none: a step's bytes are judged by the scenario's
 * model, and a clone is built for one rehearsal.
 */
function variantFiring(probe: Probe, ctx: FireContext, options: FireOptions): VariantFiring | undefined {
  const keys = ctx.metamorphic;
  if (keys === undefined || options.step !== undefined || options.via !== undefined) return undefined;
  const { target } = ctx;
  return {
    ...keys,
    fire: async (bytes) => {
      // Only the variant's verdict is read (the metamorphic oracle): copying it to the other
      // transports would cost two more requests that no oracle judges.
      const outcome = await target.fire(probe.operation, bytes, ctx.timeoutMs, { copies: false });
      const restartFailure = await restartAfter([outcome], target, ctx.canaries);
      return restartFailure === undefined ? outcome : { kind: "harness_error", detail: restartFailure };
    },
  };
}

/**
 * Fires one probe alone, expected as its role says, and judges it: an attack holds the state lock
 * shared, a control alone (it spends grants).
 */
export function fireAndJudge(probe: Probe, ctx: FireContext, via?: FireOptions["via"]): Promise<Judgement> {
  const fire = (): Promise<Judgement> => fireOnce(probe, probe.role, ctx, via === undefined ? {} : { via });
  const lock = ctx.stateLock;
  if (lock === undefined) return fire();
  return probe.role === "attack" ? lock.shared(fire, probe.operation) : lock.exclusive(fire, probe.operation);
}
