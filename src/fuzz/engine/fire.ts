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

/** A judged request, and whether the target must be brought back (it hung or crashed). */
export interface Fired {
  readonly judgement: Judgement;
  readonly restart: boolean;
}

export interface FireOptions {
  readonly via?: (bytes: Uint8Array, timeoutMs: number) => Promise<Outcome>;
  readonly step?: StepPlace;
}

function needsRestart(outcome: Outcome): boolean {
  return outcome.kind === "timed_out" || outcome.kind === "crashed";
}

/**
 * Fires one request expected as `expectation` and judges it. The target is not restarted here:
 * the caller does, once it may change the state (after its lock is released, or inside a
 * scenario that holds the lock alone).
 */
export async function fireOnce(
  probe: Probe,
  expectation: Expectation,
  ctx: FireContext,
  options: FireOptions = {},
): Promise<Fired> {
  const { target } = ctx;
  const failed = (where: string, error: unknown): Fired => ({
    judgement: { kind: "error", detail: `${where}: ${redactedError(error, ctx.canaries)}` },
    restart: false,
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
  let after: StateSnapshot | undefined;
  try {
    after =
      before === undefined || outcome.kind !== "responded"
        ? undefined
        : await target.state?.(probe.operation);
  } catch (error) {
    return { ...failed("state after probe", error), restart: needsRestart(outcome) };
  }
  const judgement = await judgeAll(
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
  return { judgement, restart: needsRestart(outcome) };
}

/** Brings the target back after a hang or a crash; a failed restart shows on the next probe. */
export async function restartTarget(ctx: FireContext): Promise<void> {
  const restart = (): Promise<void> => ctx.target.restart().catch(() => undefined);
  await (ctx.stateLock === undefined ? restart() : ctx.stateLock.exclusive(restart));
}

/**
 * Fires one probe alone, expected as its role says, and judges it: an attack holds the state lock
 * shared, a control alone (it spends grants). A target that hung or crashed is restarted after,
 * alone, so that no other attack's snapshots span the restart.
 */
export async function fireAndJudge(
  probe: Probe,
  ctx: FireContext,
  via?: FireOptions["via"],
): Promise<Judgement> {
  const fire = (): Promise<Fired> => fireOnce(probe, probe.role, ctx, via === undefined ? {} : { via });
  const lock = ctx.stateLock;
  const fired =
    lock === undefined
      ? await fire()
      : probe.role === "attack"
        ? await lock.shared(fire)
        : await lock.exclusive(fire);
  if (fired.restart) await restartTarget(ctx);
  return fired.judgement;
}
