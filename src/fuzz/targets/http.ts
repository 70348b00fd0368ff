/**
 * T2: a gate reached over HTTP, the user's own or a reference server. Each probe is one POST of
 * the exact bytes; every answer with a status line is "responded", 5xx included (F4 is the
 * oracle's call, not the transport's). A connection that fails or breaks is "crashed"; a probe
 * with no complete answer within its time limit is "timed_out".
 *
 * Connections are kept alive (about twice the throughput of a new TCP connection per probe), and
 * probes may run concurrently. An external gate reports no state (F3 then checks nothing) and
 * its side channels are out of reach, so they are always empty here.
 *
 * Kept-alive connections must never turn into a crash the gate did not cause (docs/operating.md,
 * "Transports"): an idle socket is dropped here before a server with the usual 5 s keep-alive
 * timeout drops it; a socket the server closed anyway just as it was reused is sent again once,
 * on a new connection; and restart() never breaks the probes still in flight on other sockets.
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

/**
 * How long an idle kept-alive socket is kept: below the 5 s keep-alive timeout of Node's servers
 * (and of `failclosed serve`, HTTP_DEFAULTS), so this end closes first. Node 20's agent keeps idle
 * sockets forever unless told, and ignores the server's Keep-Alive hint when not told.
 */
export const IDLE_SOCKET_MS = 4_000;

export interface HttpTargetOptions {
  /** Sockets kept open per host (default 32: every copy of the widest race in flight at once). */
  readonly maxSockets?: number;
  /** Keep connections open between probes (default true). */
  readonly keepAlive?: boolean;
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
  agent: Agent | false,
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

/**
 * The agents probes go through. restart() swaps in a new one and retires the old one only once
 * the probes in flight on it are answered: destroying it at once would reset every sibling probe
 * in flight, each then a "crash" the gate never caused (and, confirmed as a crash while another
 * probe crashed the gate, a finding pinned on the wrong bytes).
 */
class AgentPool {
  readonly #options: HttpTargetOptions;
  readonly #inFlight = new Map<Agent, number>();
  #current: Agent;

  constructor(options: HttpTargetOptions) {
    this.#options = options;
    this.#current = this.#open();
  }

  #open(): Agent {
    const agent = new Agent({
      keepAlive: this.#options.keepAlive ?? true,
      maxSockets: this.#options.maxSockets ?? 32,
      // Applies to idle sockets only: Node's agent destroys a free socket when it times out,
      // and a request in progress merely gets a 'timeout' event nobody here listens to.
      timeout: IDLE_SOCKET_MS,
    });
    this.#inFlight.set(agent, 0);
    return agent;
  }

  async using<T>(work: (agent: Agent) => Promise<T>): Promise<T> {
    const agent = this.#current;
    this.#inFlight.set(agent, (this.#inFlight.get(agent) ?? 0) + 1);
    try {
      return await work(agent);
    } finally {
      const left = (this.#inFlight.get(agent) ?? 1) - 1;
      this.#inFlight.set(agent, left);
      if (left === 0 && agent !== this.#current) this.#retire(agent);
    }
  }

  /** New probes start on new connections; the old agent goes once its probes are answered. */
  renew(): void {
    const old = this.#current;
    this.#current = this.#open();
    if ((this.#inFlight.get(old) ?? 0) === 0) this.#retire(old);
  }

  #retire(agent: Agent): void {
    this.#inFlight.delete(agent);
    agent.destroy();
  }

  close(): void {
    for (const agent of this.#inFlight.keys()) agent.destroy();
    this.#inFlight.clear();
  }
}

/**
 * A kept-alive socket that fails before any answer was, as far as this end can tell, closed by
 * the server as it was reused. Sent again once on a new connection of its own: a gate that drops
 * the connection on these bytes drops that one too, so F4 still sees the crash.
 */
function wasStaleSocket(result: Exchange): boolean {
  return (
    result.kind === "failed" &&
    result.reusedSocket &&
    !result.answered &&
    STALE_SOCKET_CODES.has(result.code ?? "")
  );
}

export function openHttpTarget(url: string, options: HttpTargetOptions = {}): Target {
  const base = new URL(url);
  if (base.protocol !== "http:")
    throw new TypeError(`the HTTP target takes an http:// URL, not ${base.protocol}`);
  const agents = new AgentPool(options);

  async function fire(operation: Operation, bytes: Uint8Array, timeoutMs: number): Promise<Outcome> {
    const start = performance.now();
    const path = PATHS[operation];
    let result = await agents.using((agent) => exchange(base, agent, path, bytes, timeoutMs));
    if (wasStaleSocket(result)) {
      // agent false: a connection of its own, never another pooled socket that may be as stale.
      result = await exchange(base, false, path, bytes, Math.max(1, timeoutMs - millisSince(start)));
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
    // An external server cannot be restarted from here: the next probes start on fresh
    // connections, and the probes in flight finish on theirs.
    restart() {
      agents.renew();
      return Promise.resolve();
    },
    close() {
      agents.close();
      return Promise.resolve();
    },
  };
}
