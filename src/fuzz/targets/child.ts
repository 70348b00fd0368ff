/**
 * T3: a gate (or any system under test) run as a child process speaking JSON lines on stdin and
 * stdout: `{"op":"decide"|"rehearse","body_b64":"..."}` in, one answer line out, in order.
 *
 * One probe is in flight per child: answers carry no id, so a second line sent before the first
 * answer would make every later answer ambiguous. The child's stderr is read all the time and each
 * probe gets what arrived since the previous probe ended; a line on stdout that arrived while no
 * probe was waiting is not an answer and goes to the next probe's stdout channel. (A child that
 * writes a second line after its answer is already out of step: if that line arrives after the
 * next probe was sent, it is taken for that probe's answer. T3 answers carry no id to tell.)
 *
 * A child that ends makes its probe "crashed" and the next probe starts a new one. A probe with no
 * answer in time is "timed_out": the child's process group gets SIGTERM, then SIGKILL, and the
 * next probe starts a new child. Starting costs time the probe is not to blame for (a Node child
 * with an embedded database takes seconds), so the first probe of each child gets `startupMs` on
 * top of its limit; its elapsedMs includes the start.
 */
import { Mutex } from "../../lane/index.js";
import type { Operation, Outcome, SideChannels, Target } from "../types.js";
import { ChildSession, describeExit, type ChildSpawnOptions } from "./child-session.js";
import { millisSince } from "./deadline.js";

export interface ChildTargetOptions extends ChildSpawnOptions {
  /** Extra time for the first probe of every child, while it starts (default 30 s). */
  readonly startupMs?: number;
  /** Between SIGTERM and SIGKILL, and for a clean exit on close (default 2 s). */
  readonly killGraceMs?: number;
}

export function openChildTarget(command: string, options: ChildTargetOptions = {}): Target {
  const lock = new Mutex();
  const startupMs = options.startupMs ?? 30_000;
  const killGraceMs = options.killGraceMs ?? 2_000;
  const spawnOptions: ChildSpawnOptions = {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
  };
  let session: ChildSession | undefined;
  let closed = false;

  /** Output of a child that ended between probes, owed to the next probe's channels. */
  let leftover = { stdout: "", stderr: "" };

  function channels(from: ChildSession): SideChannels {
    const owed = leftover;
    leftover = { stdout: "", stderr: "" };
    return {
      stdout: owed.stdout + from.takeStdout(),
      stderr: owed.stderr + from.takeStderr(),
      files: new Map(),
      rows: [],
    };
  }

  /** Lets output already in the pipes arrive (stderr written just before the answer line). */
  function drain(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  async function fireLocked(operation: Operation, bytes: Uint8Array, timeoutMs: number): Promise<Outcome> {
    if (closed) return { kind: "harness_error", detail: `child ${command}: the target is closed` };
    if (session !== undefined && !session.alive) {
      leftover = {
        stdout: leftover.stdout + session.takeStdout(),
        stderr: leftover.stderr + session.takeStderr(),
      };
      session = undefined;
    }
    session ??= new ChildSession(command, spawnOptions);
    const current = session;
    const envelope = JSON.stringify({ op: operation, body_b64: Buffer.from(bytes).toString("base64") });
    const limit = timeoutMs + (current.answered === 0 ? startupMs : 0);
    const start = performance.now();
    const result = await current.exchange(envelope, limit);
    const elapsedMs = millisSince(start);
    switch (result.kind) {
      case "line":
        await drain();
        return {
          kind: "responded",
          elapsedMs,
          headers: {},
          body: new Uint8Array(result.line),
          channels: channels(current),
        };
      case "exited":
        session = undefined;
        return { kind: "crashed", elapsedMs, detail: describeExit(result.exit), channels: channels(current) };
      case "timed_out":
        session = undefined;
        await current.kill(killGraceMs);
        return { kind: "timed_out", elapsedMs, channels: channels(current) };
    }
  }

  return {
    name: `child:${command}`,
    operations: ["decide", "rehearse"],
    fire: (operation, bytes, timeoutMs) => lock.run(() => fireLocked(operation, bytes, timeoutMs)),
    restart: () =>
      lock.run(async () => {
        const current = session;
        session = undefined;
        // The next probe starts a new child; this one is stopped the way close() stops it.
        if (current !== undefined) await current.stop(killGraceMs);
      }),
    close: () =>
      lock.run(async () => {
        closed = true;
        const current = session;
        session = undefined;
        if (current !== undefined) await current.stop(killGraceMs);
      }),
  };
}
