/**
 * T1: a system under test running inside the fuzzer's process, fired at through library calls.
 * One probe at a time: side channels (files written, audit rows appended) can only be attributed
 * to a probe when nothing else runs beside it, and the reference gate and lane serialise their
 * work on one embedded database anyway, so concurrency would buy no throughput. The one exception
 * is a race (fireCopies): its copies of one request are answered together, side by side, so that a
 * check-then-act flaw in the gate can show, and share the side channels read after the last.
 *
 * A probe that does not answer in time cannot be cancelled in process: the hung call keeps
 * whatever locks it holds. So a timeout abandons the whole system and opens a fresh one.
 */
import { Mutex } from "../../lane/index.js";
import type {
  Operation,
  Outcome,
  SideChannels,
  StateSnapshot,
  Target,
  Transport,
  TransportCopy,
} from "../types.js";
import { NO_CHANNELS } from "./channels.js";
import { describeError, millisSince, race, within } from "./deadline.js";

/**
 * An answer with what a transport added, from a system served over several (served.ts): T2's
 * status and headers, which transport carried it, and the same bytes' answers over the others.
 */
export interface Reply {
  readonly body: Uint8Array;
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly transport?: Transport;
  readonly copies?: readonly TransportCopy[];
}

/** How a request is fired: its time limit, and whether it may be copied to other transports. */
export interface Firing {
  readonly timeoutMs: number;
  /** False for a race's copies, which must reach the system together and nothing else. */
  readonly copies: boolean;
}

/** What the in-process target drives: the system under test plus its observable side effects. */
export interface InProcessSystem {
  /** Answers a probe's bytes (the body alone, or a Reply); throwing is a crash (F4). */
  answer(operation: Operation, bytes: Uint8Array, firing: Firing): Promise<Uint8Array | Reply>;
  /** What was produced outside the answer since the previous call (read right after each probe). */
  channels(): Promise<SideChannels>;
  /** What F3 compares; `operation` says what the probe could change (see Target.state). */
  state?(operation: Operation): Promise<StateSnapshot>;
  close(): Promise<void>;
}

export interface InProcessOptions {
  readonly name: string;
  readonly operations: readonly Operation[];
  /** Opens a fresh system: at start, on restart() and after a timeout. */
  readonly open: () => Promise<InProcessSystem>;
  /** How long to wait for side channels, state or a close before giving up (default 30 s). */
  readonly housekeepingMs?: number;
}

/** After a timeout, how long to wait for the hung system's side channels, and for it to close. */
const HUNG_CHANNELS_MS = 1_000;
const HUNG_CLOSE_MS = 2_000;

export async function openInProcessTarget(options: InProcessOptions): Promise<Target> {
  const lock = new Mutex();
  const housekeepingMs = options.housekeepingMs ?? 30_000;
  let system: InProcessSystem | undefined = await options.open();
  let generation = 1;
  let closed = false;

  /** Closes the current system, giving up on it (it may be hung) after graceMs. */
  async function abandon(graceMs: number): Promise<void> {
    const current = system;
    system = undefined;
    if (current !== undefined) await within(current.close(), graceMs);
  }

  /**
   * The open system, opening a fresh one when a timeout abandoned the last; a harness error
   * (never a verdict) when that cannot be done in time.
   */
  async function opened(): Promise<
    { kind: "open"; system: InProcessSystem } | { kind: "failed"; detail: string }
  > {
    if (system !== undefined) return { kind: "open", system };
    const opening = options.open();
    const reopened = await race(opening, housekeepingMs);
    // An open that finishes after we gave up must still be closed, or its database leaks.
    if (reopened.kind === "timed_out") opening.then((late) => late.close()).catch(() => undefined);
    if (reopened.kind !== "done") {
      const why = reopened.kind === "threw" ? describeError(reopened.error) : "timed out";
      return { kind: "failed", detail: `${options.name}: cannot reopen the system under test (${why})` };
    }
    system = reopened.value;
    generation += 1;
    return { kind: "open", system };
  }

  /** `copies` copies of one request answered side by side (one for a single probe), then judged. */
  async function fireLocked(
    operation: Operation,
    bytes: Uint8Array,
    timeoutMs: number,
    copies = 1,
  ): Promise<Outcome[]> {
    const all = (outcome: Outcome): Outcome[] => Array.from({ length: copies }, () => outcome);
    if (closed) return all({ kind: "harness_error", detail: `${options.name}: the target is closed` });
    const open = await opened();
    if (open.kind === "failed") return all({ kind: "harness_error", detail: open.detail });
    const current = open.system;
    const answered = await Promise.all(
      Array.from({ length: copies }, async () => {
        const start = performance.now();
        const raced = await race(
          current.answer(operation, bytes, { timeoutMs, copies: copies === 1 }),
          timeoutMs,
        );
        return { raced, elapsedMs: millisSince(start) };
      }),
    );
    const hung = answered.some(({ raced }) => raced.kind === "timed_out");
    // Whatever hung may hold the locks the side channels need: look briefly, then move on.
    const channels = await race(current.channels(), hung ? HUNG_CHANNELS_MS : housekeepingMs);
    // The hung call keeps its locks for good: the next probe gets a fresh system.
    if (hung) await abandon(HUNG_CLOSE_MS);
    const seen = channels.kind === "done" ? channels.value : NO_CHANNELS;
    return answered.map(({ raced, elapsedMs }): Outcome => {
      switch (raced.kind) {
        case "done": {
          if (channels.kind !== "done") {
            const why = channels.kind === "threw" ? describeError(channels.error) : "timed out";
            return {
              kind: "harness_error",
              detail: `${options.name}: cannot read the side channels (${why})`,
            };
          }
          return responded(raced.value, elapsedMs, seen);
        }
        case "threw":
          return { kind: "crashed", elapsedMs, detail: describeError(raced.error), channels: seen };
        case "timed_out":
          return { kind: "timed_out", elapsedMs, channels: seen };
      }
    });
  }

  const stateful = system.state !== undefined;
  const state = async (operation: Operation): Promise<StateSnapshot> =>
    lock.run(async () => {
      if (closed) throw new Error(`${options.name}: the target is closed`);
      // Another probe's timeout may have abandoned the system since this probe fired: read a fresh
      // one, marked as another generation, which the caller must not compare with a snapshot of
      // the old (fire.ts fires the probe again).
      const open = await opened();
      if (open.kind === "failed") throw new Error(open.detail);
      const current = open.system;
      if (current.state === undefined) throw new Error(`${options.name}: the system under test has no state`);
      const read = generation;
      const raced = await race(current.state(operation), housekeepingMs);
      if (raced.kind === "done") return { ...raced.value, generation: read };
      throw raced.kind === "threw" ? raced.error : new Error(`${options.name}: reading the state timed out`);
    });

  return {
    name: options.name,
    operations: options.operations,
    fire: (operation, bytes, timeoutMs) =>
      lock.run(async () => (await fireLocked(operation, bytes, timeoutMs))[0] as Outcome),
    fireCopies: (operation, bytes, copies, timeoutMs) =>
      lock.run(() => fireLocked(operation, bytes, timeoutMs, Math.max(1, copies))),
    ...(stateful ? { state } : {}),
    restart: () =>
      lock.run(async () => {
        if (closed) return;
        await abandon(housekeepingMs);
        system = await options.open();
        generation += 1;
      }),
    close: () =>
      lock.run(async () => {
        closed = true;
        await abandon(housekeepingMs);
      }),
  };
}

function responded(answer: Uint8Array | Reply, elapsedMs: number, channels: SideChannels): Outcome {
  if (answer instanceof Uint8Array)
    return { kind: "responded", elapsedMs, headers: {}, body: answer, channels };
  return {
    kind: "responded",
    elapsedMs,
    ...(answer.status === undefined ? {} : { status: answer.status }),
    headers: answer.headers ?? {},
    body: answer.body,
    channels,
    ...(answer.transport === undefined ? {} : { transport: answer.transport }),
    ...(answer.copies === undefined ? {} : { copies: answer.copies }),
  };
}
