import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { FailclosedError } from "../../kernel/errors.js";
import { MAX_DOCUMENT_BYTES, MAX_REHEARSAL_REQUEST_BYTES } from "../codec/limits.js";
import { isJsonMediaType } from "./media-type.js";
import { unsupportedMediaType } from "./refusals.js";
import type { Service } from "./service.js";
import { httpStatus } from "./status.js";

/** The documented limits (docs/operating.md, "Limits"); tests configure smaller ones. */
export const HTTP_DEFAULTS = {
  /** Headers must be complete within this. */
  headersTimeoutMs: 15_000,
  /** The whole request, headers and body, must arrive within this. */
  requestTimeoutMs: 15_000,
  /** Connections open at once; beyond this a new connection is closed at once. */
  maxConnections: 256,
  keepAliveTimeoutMs: 5_000,
} as const;

export interface HttpOptions {
  readonly host?: string;
  readonly port?: number;
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly maxConnections?: number;
}

const HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

/**
 * `unread`: the request's body was not read to its end (refused before it, or cut at the limit).
 * Such a connection is closed after the answer: the rest of the body is still on its way, and a
 * client that reused the connection would have its next request read behind those bytes (seen as
 * a stall of the keep-alive timeout after a 413).
 */
function send(res: ServerResponse, status: number, body: Uint8Array | string, unread = false): void {
  res.writeHead(status, {
    ...HEADERS,
    "content-length": Buffer.byteLength(body),
    ...(unread ? { connection: "close" } : {}),
  });
  res.end(body);
}

/**
 * Reads at most limit + 1 bytes: enough to know a body is oversize (413) without holding more of
 * it. The over-long prefix still goes to the service so the refusal is decided, and audited, the
 * same way on every transport (T2).
 */
async function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ bytes: Uint8Array; oversize: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size > limit) {
      req.resume();
      return { bytes: Buffer.concat(chunks).subarray(0, limit + 1), oversize: true };
    }
  }
  return { bytes: Buffer.concat(chunks), oversize: false };
}

const ROUTES = { "/v1/decide": "decide", "/v1/rehearse": "rehearse" } as const;

/** R4: a rehearsal request may carry a migration of up to 1 MiB; every other document 64 KiB. */
const BODY_LIMITS = { decide: MAX_DOCUMENT_BYTES, rehearse: MAX_REHEARSAL_REQUEST_BYTES } as const;

async function handle(service: Service, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "").split("?")[0] ?? "";
  if (path === "/healthz") {
    if (req.method !== "GET") return send(res, 405, '{"error":"method_not_allowed"}');
    try {
      await service.health();
      return send(res, 200, '{"status":"ok"}');
    } catch {
      return send(res, 503, '{"status":"unavailable"}');
    }
  }
  const op = ROUTES[path as keyof typeof ROUTES] as (typeof ROUTES)[keyof typeof ROUTES] | undefined;
  if (op === undefined) return send(res, 404, '{"error":"not_found"}', true);
  if (req.method !== "POST") return send(res, 405, '{"error":"method_not_allowed"}', true);
  // Only application/json: a browser sends text/plain, form or multipart bodies cross-origin
  // without a preflight, so any of them reaching decide would let a web page spend grants.
  if (!isJsonMediaType(req.headers["content-type"])) {
    req.resume();
    return send(res, 415, unsupportedMediaType(op), true);
  }
  const { bytes, oversize } = await readBody(req, BODY_LIMITS[op]);
  const answer = await service[op](bytes);
  send(res, oversize ? 413 : httpStatus(answer.class), answer.bytes, oversize);
}

export interface RunningHttpServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** T2. Every failure inside a handler is a 500 with a fixed body; nothing from the error leaks. */
export async function startHttpServer(
  service: Service,
  options: HttpOptions = {},
): Promise<RunningHttpServer> {
  const requestTimeout = options.requestTimeoutMs ?? HTTP_DEFAULTS.requestTimeoutMs;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? HTTP_DEFAULTS.headersTimeoutMs, requestTimeout);
  const server = createServer(
    {
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: HTTP_DEFAULTS.keepAliveTimeoutMs,
      // Node checks both timeouts only this often (30 s by default), which is why a 15 s limit
      // used to fire after about 30 s. A tenth of the shorter limit keeps them within 10 %.
      connectionsCheckingInterval: Math.max(10, Math.floor(headersTimeout / 10)),
    },
    (req, res) => {
      handle(service, req, res).catch(() => {
        if (!res.headersSent) send(res, 500, '{"error":"internal_error"}');
        else res.destroy();
      });
    },
  );
  server.maxConnections = options.maxConnections ?? HTTP_DEFAULTS.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, options)));
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.removeAllListeners("error");
      // A socket error after start (a client resetting mid-request) is that client's problem.
      server.on("error", () => undefined);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A handler that hangs with a client that never goes away must not hold shutdown forever.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      }),
  };
}

/**
 * Fails at once, with the error listening would give, when the address cannot be bound: a server
 * checks this before it spends seconds opening its database. The address can still be taken in
 * between; startHttpServer then reports the same error.
 */
export async function assertCanListen(options: Pick<HttpOptions, "host" | "port">): Promise<void> {
  if ((options.port ?? 0) === 0) return;
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, options)));
    probe.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** A port in use or not ours to bind is the operator's to fix: a user error, at once. */
function listenError(error: NodeJS.ErrnoException, options: HttpOptions): Error {
  const where = `${options.host ?? "127.0.0.1"}:${options.port ?? 0}`;
  switch (error.code) {
    case "EADDRINUSE":
      return new FailclosedError("ADDRESS_IN_USE", `${where} is already in use; choose another --port`);
    case "EACCES":
      return new FailclosedError("USAGE", `no permission to listen on ${where}`);
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new FailclosedError("USAGE", `cannot listen on ${where}: no such local address`);
    default:
      return error;
  }
}
