/**
 * T3 in process: the real JSON-lines server (`serveJsonLines`, what `failclosed serve --stdio`
 * runs) over a pair of in-memory streams, and a client that writes one envelope line and reads one
 * answer line per probe, one probe at a time (answers carry no id). In process rather than a child:
 * the framing, the envelope and the server loop under test are the same code a child runs over
 * its stdin and stdout, while a child would pay a Node start (seconds on a loaded machine) for
 * every generation of the reference lane and every target a calibration opens, and could not
 * share the generation's gate, ledger and clone with T1 and T2 (test/fuzz/targets/child.test.ts
 * covers the real child).
 */
import { PassThrough } from "node:stream";
import { Mutex, serveJsonLines, type Service } from "../../lane/index.js";
import type { Operation, Outcome, Target } from "../types.js";
import { NO_CHANNELS } from "./channels.js";
import { millisSince } from "./deadline.js";

/** Lines as they arrive, handed to whoever waits for the next one. */
class LineQueue {
  #buffer = "";
  readonly #lines: string[] = [];
  readonly #waiting: Array<(line: string) => void> = [];

  push(chunk: string): void {
    this.#buffer += chunk;
    for (let end = this.#buffer.indexOf("\n"); end >= 0; end = this.#buffer.indexOf("\n")) {
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      const waiter = this.#waiting.shift();
      if (waiter === undefined) this.#lines.push(line);
      else waiter(line);
    }
  }

  next(timeoutMs: number): Promise<string | undefined> {
    const ready = this.#lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const take = (line: string): void => {
        clearTimeout(timer);
        resolve(line);
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(take), 1);
        resolve(undefined);
      }, timeoutMs);
      this.#waiting.push(take);
    });
  }
}

export interface JsonLinesOptions {
  /** What the service answers (default the gate only). */
  readonly operations?: readonly Operation[];
  /** close() also closes the service (default); false when its owner closes it. */
  readonly ownsService?: boolean;
}

export function openJsonLinesTarget(service: Service, options: JsonLinesOptions = {}): Target {
  const input = new PassThrough();
  const output = new PassThrough();
  const lines = new LineQueue();
  output.setEncoding("utf8");
  output.on("data", (chunk: string) => lines.push(chunk));
  const serving = serveJsonLines(service, input, output);
  const lock = new Mutex();

  async function fire(operation: Operation, bytes: Uint8Array, timeoutMs: number): Promise<Outcome> {
    const envelope = JSON.stringify({ op: operation, body_b64: Buffer.from(bytes).toString("base64") });
    const start = performance.now();
    input.write(`${envelope}\n`);
    const line = await lines.next(timeoutMs);
    const elapsedMs = millisSince(start);
    if (line === undefined) return { kind: "timed_out", elapsedMs, channels: NO_CHANNELS };
    return {
      kind: "responded",
      elapsedMs,
      headers: {},
      body: Buffer.from(line, "utf8"),
      channels: NO_CHANNELS,
      transport: "json-lines",
    };
  }

  return {
    name: "json-lines (in process)",
    operations: options.operations ?? ["decide"],
    fire: (operation, bytes, timeoutMs) => lock.run(() => fire(operation, bytes, timeoutMs)),
    // The server answers every line it is given; a hang is the flaw's, and there is nothing to
    // bring back that a fresh target (freshTargets) would not.
    restart: () => Promise.resolve(),
    close: async () => {
      input.end();
      await serving.catch(() => undefined);
      if (options.ownsService !== false) await service.close();
    },
  };
}
