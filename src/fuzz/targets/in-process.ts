/**
 * T1: a system under test running inside the fuzzer's process, fired at through library calls.
 * By default one probe at a time: side channels (files written, audit rows appended) can only be
 * attributed to a probe when nothing else runs beside it. A system whose operations change
 * disjoint state and write disjoint channels says how many requests of each it answers at once
 * (`inFlight`): the reference lane rehearses beside its gate's decisions, and answers several
 * decisions together (its ledger commits their audit rows as a group); each request is then handed
 * the channels looked at while it was in flight (channel-log.ts). A race (fireCopies) always has
 * its copies answered together, side by side, so that a check-then-act flaw in the gate can show.
 *
 * A probe that does not answer in time cannot be cancelled in process: the hung call keeps
 * whatever locks it holds. So a timeout abandons the whole system and opens a fresh one, once the
 * requests in flight beside it have ended (each within its own time limit).
 */
import pLimit, { type LimitFunction } from "p-limit";
import { ReadWriteLock } from "../../kernel/read-write-lock.js";
import type {
  Operation,
  Outcome,
  SideChannels,
  StateSnapshot,
  Target,
  Transport,
  TransportCopy,
} from "../types.js";
import { ChannelLog } from "./channel-log.js";
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
  /**
   * False for a race's copies, which must reach the system together and nothing else, and for a
   * request fired with `copies: false` (a metamorphic variant).
   */
  readonly copies: boolean;
}

/** What the in-process target drives: the system under test plus its observable side effects. */
export interface InProcessSystem {
  /** Answers a probe's bytes (the body alone, or a Reply); throwing is a crash (F4). */
  answer(operation: Operation, bytes: Uint8Array, firing: Firing): Promise<Uint8Array | Reply>;
  /**
   * What was produced outside the answer since the previous call (read right after each probe).
   * With `inFlight`, only what requests of `operation` produce: each operation's channels are
   * looked at by its own requests alone.
   */
  channels(operation: Operation): Promise<SideChannels>;
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
  /**
   * How many requests of each operation the system answers at once, for a system whose
   * operations change disjoint state and write disjoint side channels (the reference lane: the
   * gate's ledger and audit rows, the lane's clone and evidence). Default: one request at a time
   * across all operations, which a system of unknown shape needs for its side channels to be
   * told apart.
   */
  readonly inFlight?: Readonly<Record<Operation, number>>;
}

/** After a timeout, how long to wait for the hung system's side channels, and for it to close. */
const HUNG_CHANNELS_MS = 1_000;
const HUNG_CLOSE_MS = 2_000;

type Opened =
  | { readonly kind: "open"; readonly system: InProcessSystem; readonly generation: number }
  | { readonly kind: "failed"; readonly detail: string };

export async function openInProcessTarget(options: InProcessOptions): Promise<Target> {
  // Requests and state reads share the system; replacing it (a restart, a hang, a close) waits
  // until none is in flight, so that no request sees its system closed under it.
  const generations = new ReadWriteLock();
  const one = pLimit(1);
  const wholeLog = new ChannelLog();
  const inFlight = options.inFlight;
  const slots = new Map(
    options.operations.map((op) => [op, inFlight === undefined ? one : pLimit(Math.max(1, inFlight[op]))]),
  );
  const logs = new Map(
    options.operations.map((op) => [op, inFlight === undefined ? wholeLog : new ChannelLog()]),
  );
  const housekeepingMs = options.housekeepingMs ?? 30_000;
  let system: InProcessSystem | undefined = await options.open();
  let generation = 1;
  let closed = false;
  let reopening: Promise<Opened> | undefined;

  /** Closes the current system, giving up on it (it may be hung) after graceMs. */
  async function abandon(graceMs: number): Promise<void> {
    const current = system;
    system = undefined;
    if (current !== undefined) await within(current.close(), graceMs);
  }

  async function reopen(): Promise<Opened> {
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
    return { kind: "open", system, generation };
  }

  /**
   * The open system, opening a fresh one when a timeout abandoned the last (once, for every
   * request waiting on it); a harness error (never a verdict) when that cannot be done in time.
   */
  function opened(): Promise<Opened> {
    if (system !== undefined) return Promise.resolve({ kind: "open", system, generation });
    reopening ??= reopen().finally(() => (reopening = undefined));
    return reopening;
  }

  const slotOf = (operation: Operation): LimitFunction => slots.get(operation) ?? one;
  const logOf = (operation: Operation): ChannelLog => logs.get(operation) ?? wholeLog;

  /**
   * `copies` copies of one request answered side by side (one for a single probe), then judged;
   * the generation they hung on, if any, which the caller abandons.
   */
  async function fireOnSystem(
    operation: Operation,
    bytes: Uint8Array,
    timeoutMs: number,
    copies: number,
    copyToTransports: boolean,
  ): Promise<{ readonly outcomes: Outcome[]; readonly hungOn?: number }> {
    const all = (outcome: Outcome): Outcome[] => Array.from({ length: copies }, () => outcome);
    if (closed)
      return { outcomes: all({ kind: "harness_error", detail: `${options.name}: the target is closed` }) };
    const open = await opened();
    if (open.kind === "failed") return { outcomes: all({ kind: "harness_error", detail: open.detail }) };
    const current = open.system;
    const log = logOf(operation);
    const token = log.begin();
    const answered = await Promise.all(
      Array.from({ length: copies }, async () => {
        const start = performance.now();
        const raced = await race(
          current.answer(operation, bytes, { timeoutMs, copies: copies === 1 && copyToTransports }),
          timeoutMs,
        );
        return { raced, elapsedMs: millisSince(start) };
      }),
    );
    const hung = answered.some(({ raced }) => raced.kind === "timed_out");
    // Whatever hung may hold the locks the side channels need: look briefly, then move on.
    const channels = await log.end(
      token,
      () => race(current.channels(operation), hung ? HUNG_CHANNELS_MS : housekeepingMs),
      // Shared only with requests to the same system and with the same deadline.
      hung ? undefined : current,
    );
    const seen = channels.kind === "done" ? channels.value : NO_CHANNELS;
    const outcomes = answered.map(({ raced, elapsedMs }): Outcome => {
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
    return hung ? { outcomes, hungOn: open.generation } : { outcomes };
  }

  /** Fires in the operation's slot; a request that hung gets its system abandoned before the slot is free. */
  function fireLocked(
    operation: Operation,
    bytes: Uint8Array,
    timeoutMs: number,
    copies = 1,
    copyToTransports = true,
  ): Promise<Outcome[]> {
    return slotOf(operation)(async () => {
      const fired = await generations.shared(() =>
        fireOnSystem(operation, bytes, timeoutMs, copies, copyToTransports),
      );
      const hungOn = fired.hungOn;
      // The hung call keeps its locks for good: the next request gets a fresh system. Abandoned
      // once, and only if no one replaced it meanwhile.
      if (hungOn !== undefined)
        await generations.exclusive(async () => {
          if (generation === hungOn) await abandon(HUNG_CLOSE_MS);
        });
      return fired.outcomes;
    });
  }

  const stateful = system.state !== undefined;
  const state = (operation: Operation): Promise<StateSnapshot> =>
    slotOf(operation)(() =>
      generations.shared(async () => {
        if (closed) throw new Error(`${options.name}: the target is closed`);
        // Another probe's timeout may have abandoned the system since this probe fired: read a
        // fresh one, marked as another generation, which the caller must not compare with a
        // snapshot of the old (fire.ts fires the probe again).
        const open = await opened();
        if (open.kind === "failed") throw new Error(open.detail);
        const current = open.system;
        if (current.state === undefined)
          throw new Error(`${options.name}: the system under test has no state`);
        const raced = await race(current.state(operation), housekeepingMs);
        if (raced.kind === "done") return { ...raced.value, generation: open.generation };
        throw raced.kind === "threw"
          ? raced.error
          : new Error(`${options.name}: reading the state timed out`);
      }),
    );

  return {
    name: options.name,
    operations: options.operations,
    ...(inFlight === undefined ? {} : { stateByOperation: true }),
    fire: async (operation, bytes, timeoutMs, request) =>
      (await fireLocked(operation, bytes, timeoutMs, 1, request?.copies !== false))[0] as Outcome,
    fireCopies: (operation, bytes, copies, timeoutMs) =>
      fireLocked(operation, bytes, timeoutMs, Math.max(1, copies)),
    ...(stateful ? { state } : {}),
    restart: () =>
      generations.exclusive(async () => {
        if (closed) return;
        await abandon(housekeepingMs);
        system = await options.open();
        generation += 1;
      }),
    close: () =>
      generations.exclusive(async () => {
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
