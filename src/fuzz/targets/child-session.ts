/**
 * One run of a child process speaking T3 JSON lines: `/bin/sh -c command` in a process group of
 * its own, so that a kill reaches whatever the shell started (a `node` under `sh`, a wrapper
 * script), not only the shell.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { BoundedText } from "./bounded-text.js";
import { race } from "./deadline.js";
import { LineReader } from "./line-reader.js";

/** No answer line is this long: a T3 envelope of the largest document is under 90 KB. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** stderr and stray stdout kept per probe. */
const MAX_CAPTURE_BYTES = 4 * 1024 * 1024;

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why it ended, when the harness knows better than the exit status (spawn failed, line too long). */
  readonly reason?: string;
}

export type ExchangeResult =
  | { readonly kind: "line"; readonly line: Buffer }
  | { readonly kind: "exited"; readonly exit: ChildExit }
  | { readonly kind: "timed_out" };

export interface ChildSpawnOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export function describeExit(exit: ChildExit): string {
  const status = exit.signal === null ? `exit code ${exit.code ?? "unknown"}` : `signal ${exit.signal}`;
  return exit.reason === undefined
    ? `the child ended (${status})`
    : `the child ended: ${exit.reason} (${status})`;
}

export class ChildSession {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #reader = new LineReader(MAX_LINE_BYTES);
  readonly #stderr = new BoundedText(MAX_CAPTURE_BYTES);
  readonly #strayStdout = new BoundedText(MAX_CAPTURE_BYTES);
  #waiter: ((line: Buffer) => void) | undefined;
  #reason: string | undefined;
  #exit: ChildExit | undefined;
  readonly exited: Promise<ChildExit>;
  /** Probes this run has answered: the first one also waits for the child to start. */
  answered = 0;

  constructor(command: string, options: ChildSpawnOptions) {
    this.#proc = spawn("/bin/sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    this.exited = new Promise((resolve) => {
      // 'close' comes after the child's stdout is drained, so an answer written just before it
      // died is still read; 'error' covers a shell that could not be started at all.
      this.#proc.on("close", (code, signal) => resolve(this.#ended(code, signal)));
      this.#proc.on("error", (error) => {
        this.#reason ??= `cannot run the command: ${error.message}`;
        resolve(this.#ended(null, null));
      });
    });
    // A child that died mid-write makes our writes fail with EPIPE; its exit says what happened.
    this.#proc.stdin.on("error", () => undefined);
    this.#proc.stderr.on("data", (chunk: Buffer) => this.#stderr.append(chunk));
    this.#proc.stdout.on("data", (chunk: Buffer) => this.#onStdout(chunk));
  }

  get alive(): boolean {
    return this.#exit === undefined;
  }

  #ended(code: number | null, signal: NodeJS.Signals | null): ChildExit {
    this.#exit ??= { code, signal, ...(this.#reason === undefined ? {} : { reason: this.#reason }) };
    return this.#exit;
  }

  #onStdout(chunk: Buffer): void {
    let lines: Buffer[];
    try {
      lines = this.#reader.push(chunk);
    } catch (error) {
      this.#reason ??= error instanceof Error ? error.message : "unreadable output";
      this.#signal("SIGKILL");
      return;
    }
    for (const line of lines) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (waiter !== undefined) waiter(line);
      // A line nobody asked for is not an answer; it is output, searched like stderr is.
      else this.#strayStdout.append(Buffer.concat([line, Buffer.from("\n")]));
    }
  }

  /** Writes one line and waits for the answer line, the child's end, or the time limit. */
  async exchange(line: string, timeoutMs: number): Promise<ExchangeResult> {
    if (this.#exit !== undefined) return { kind: "exited", exit: this.#exit };
    const answer = new Promise<ExchangeResult>((resolve) => {
      this.#waiter = (received) => resolve({ kind: "line", line: received });
    });
    this.#proc.stdin.write(`${line}\n`);
    const ended = this.exited.then((exit): ExchangeResult => ({ kind: "exited", exit }));
    const raced = await race(Promise.race([answer, ended]), timeoutMs);
    this.#waiter = undefined;
    if (raced.kind === "done") {
      if (raced.value.kind === "line") this.answered += 1;
      return raced.value;
    }
    return { kind: "timed_out" };
  }

  takeStderr(): string {
    return this.#stderr.take();
  }

  /** Stray stdout lines plus an unterminated last line, when the child has ended. */
  takeStdout(): string {
    const rest = this.#exit === undefined ? "" : this.#reader.rest().toString("utf8");
    return this.#strayStdout.take() + rest;
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#proc.pid;
    if (pid === undefined || this.#exit !== undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already (ESRCH): the 'close' event is on its way.
    }
  }

  /** SIGTERM to the whole process group, SIGKILL after graceMs; resolves once it has ended. */
  async kill(graceMs: number): Promise<ChildExit> {
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      this.#signal(signal);
      const ended = await race(this.exited, graceMs);
      if (ended.kind === "done") return ended.value;
    }
    // Dead, yet something that left the group still holds its pipes: stop listening to them.
    this.#reason ??= "the pipes stayed open after SIGKILL";
    this.#proc.stdin.destroy();
    this.#proc.stdout.destroy();
    this.#proc.stderr.destroy();
    return this.#ended(null, "SIGKILL");
  }

  /** Ends stdin (a T3 server's clean shutdown), then kills whatever is still running after graceMs. */
  async stop(graceMs: number): Promise<ChildExit> {
    this.#proc.stdin.end();
    const ended = await race(this.exited, graceMs);
    return ended.kind === "done" ? ended.value : this.kill(graceMs);
  }
}
