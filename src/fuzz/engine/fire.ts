/**
 * Fires one request and hands its outcome to the one judging path (oracles/judge.ts): state read
 * around attacks (F3), the answer decoded once, every applicable oracle asked.
 */
import { judgeAll, oracleInput } from "../oracles/judge.js";
import { redactedError } from "../oracles/redact.js";
import type {
  Expectation,
  Judgement,
  Oracle,
  OracleInput,
  Outcome,
  Probe,
  StateSnapshot,
  StepPlace,
  Target,
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
}

export interface FireOptions {
  readonly via?: (bytes: Uint8Array, timeoutMs: number) => Promise<Outcome>;
  readonly step?: StepPlace;
}

/**
 * Brings the target back after a hang or a crash, at once and inside the caller's hold of the
 * state lock: the next probe, whoever fires it, meets a target restarted once. (A restart put off
 * until the lock is free could stop a target another probe had just brought back: a child process
 * started afresh, an in-process generation opened again.)
 */
export async function restartAfter(outcomes: readonly Outcome[], target: Target): Promise<void> {
  if (outcomes.some((o) => o.kind === "timed_out" || o.kind === "crashed"))
    await target.restart().catch(() => undefined);
}

/** Fires one request expected as `expectation` and judges it; a hang or a crash restarts the target. */
export async function fireOnce(
  probe: Probe,
  expectation: Expectation,
  ctx: FireContext,
  options: FireOptions = {},
): Promise<Judgement> {
  const { target } = ctx;
  const failed = (where: string, error: unknown): Judgement => ({
    kind: "error",
    detail: `${where}: ${redactedError(error, ctx.canaries)}`,
  });
  let before: StateSnapshot | undefined;
  try {
    before = expectation === "attack" ? await target.state?.(probe.operation) : undefined;
  } catch (error) {
    return failed("state before probe", error);
  }
  const outcome =
    options.via === undefined
      ? await target.fire(probe.operation, probe.bytes, ctx.timeoutMs)
      : await options.via(probe.bytes, ctx.timeoutMs);
  await restartAfter([outcome], target);
  let after: StateSnapshot | undefined;
  try {
    after =
      before === undefined || outcome.kind !== "responded"
        ? undefined
        : await target.state?.(probe.operation);
  } catch (error) {
    return failed("state after probe", error);
  }
  return judgeAll(
    ctx.oracles,
    oracleInput({
      probe,
      expectation,
      outcome,
      ...(options.step === undefined ? {} : { step: options.step }),
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
      canaries: ctx.canaries,
      sealedBy: ctx.sealedBy,
    }),
  );
}

/**
 * Fires one probe alone, expected as its role says, and judges it: an attack holds the state lock
 * shared, a control alone (it spends grants).
 */
export function fireAndJudge(probe: Probe, ctx: FireContext, via?: FireOptions["via"]): Promise<Judgement> {
  const fire = (): Promise<Judgement> => fireOnce(probe, probe.role, ctx, via === undefined ? {} : { via });
  const lock = ctx.stateLock;
  if (lock === undefined) return fire();
  return probe.role === "attack" ? lock.shared(fire) : lock.exclusive(fire);
}
