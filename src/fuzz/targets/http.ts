/**
 * T2: a gate reached over HTTP, the user's own or a reference server. Each probe is one POST of
 * the exact bytes; every answer with a status line is "responded", 5xx included (F4 is the
 * oracle's call, not the transport's). A connection that fails or breaks is "crashed"; a probe
 * with no complete answer within its time limit is "timed_out".
 *
 * Connections are kept alive (about twice the throughput of a new TCP connection per probe), and
 * probes may run concurrently. An external gate reports no state (F3 then checks nothing) and
 * its side channels are out of reach, so they are always empty here.
 */
import { Agent, request, type IncomingMessage } from "node:http";
import type { Operation, Outcome, Target } from "../types.js";
import { NO_CHANNELS } from "./channels.js";
import { millisSince } from "./deadline.js";

const PATHS: Readonly<Record<Operation, string>> = { decide: "/v1/decide", rehearse: "/v1/rehearse" };

/** An answer larger than this is a misbehaving target, not a verdict: its connection is dropped. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Errors of a kept-alive socket the server closed just as it was reused: safe to send again. */
const STALE_SOCKET_CODES: ReadonlySet<string> = new Set(["ECONNRESET", "EPIPE"]);

export interface HttpTargetOptions {
  /** Sockets kept open per host (default 16). */
  readonly maxSockets?: number;
}

type Exchange =
  | {
      readonly kind: "answer";
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly body: Uint8Array;
    }
  | {
      readonly kind: "failed";
      readonly detail: string;
      readonly code?: string;
      readonly reusedSocket: boolean;
      readonly answered: boolean;
    }
  | { readonly kind: "timed_out" };

function lowercased(message: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  // rawHeaders keeps repeated headers apart; joining them keeps every byte the server sent.
  for (let i = 0; i + 1 < message.rawHeaders.length; i += 2) {
    const name = (message.rawHeaders[i] ?? "").toLowerCase();
    const value = message.rawHeaders[i + 1] ?? "";
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

function exchange(
  url: URL,
  agent: Agent,
  path: string,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<Exchange> {
  return new Promise((resolve) => {
    let settled = false;
    let answered = false;
    const finish = (result: Exchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname.replace(/\/$/, "")}${path}`,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": bytes.length },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            finish({
              kind: "failed",
              detail: `answer larger than ${MAX_RESPONSE_BYTES} bytes`,
              reusedSocket: false,
              answered,
            });
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () =>
          finish({
            kind: "answer",
            status: res.statusCode ?? 0,
            headers: lowercased(res),
            body: new Uint8Array(Buffer.concat(chunks)),
          }),
        );
        res.on("error", (error: NodeJS.ErrnoException) =>
          finish({
            kind: "failed",
            detail: `answer broken off: ${error.message}`,
            reusedSocket: false,
            answered,
          }),
        );
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: "timed_out" });
      req.destroy();
    }, timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) =>
      finish({
        kind: "failed",
        detail: `${error.code ?? error.name}: ${error.message}`,
        ...(error.code === undefined ? {} : { code: error.code }),
        reusedSocket: req.reusedSocket,
        answered,
      }),
    );
    req.end(bytes);
  });
}

export function openHttpTarget(url: string, options: HttpTargetOptions = {}): Target {
  const base = new URL(url);
  if (base.protocol !== "http:")
    throw new TypeError(`the HTTP target takes an http:// URL, not ${base.protocol}`);
  const newAgent = (): Agent => new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 });
  let agent = newAgent();

  async function fire(operation: Operation, bytes: Uint8Array, timeoutMs: number): Promise<Outcome> {
    const start = performance.now();
    let result = await exchange(base, agent, PATHS[operation], bytes, timeoutMs);
    // A kept-alive socket the server had just closed fails before the request reaches it (Node's
    // documented retry case): send once more on a new socket, within what is left of the limit.
    if (
      result.kind === "failed" &&
      result.reusedSocket &&
      !result.answered &&
      STALE_SOCKET_CODES.has(result.code ?? "")
    ) {
      result = await exchange(
        base,
        agent,
        PATHS[operation],
        bytes,
        Math.max(1, timeoutMs - millisSince(start)),
      );
    }
    const elapsedMs = millisSince(start);
    switch (result.kind) {
      case "answer":
        return {
          kind: "responded",
          elapsedMs,
          status: result.status,
          headers: result.headers,
          body: result.body,
          channels: NO_CHANNELS,
        };
      case "failed":
        return { kind: "crashed", elapsedMs, detail: result.detail, channels: NO_CHANNELS };
      case "timed_out":
        return { kind: "timed_out", elapsedMs, channels: NO_CHANNELS };
    }
  }

  return {
    name: `http:${base.origin}${base.pathname.replace(/\/$/, "")}`,
    operations: ["decide", "rehearse"],
    fire,
    // An external server cannot be restarted from here; dropping the kept-alive sockets at least
    // makes the next probe start on a fresh connection.
    restart() {
      agent.destroy();
      agent = newAgent();
      return Promise.resolve();
    },
    close() {
      agent.destroy();
      return Promise.resolve();
    },
  };
}
