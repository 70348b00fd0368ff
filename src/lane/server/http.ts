import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_DOCUMENT_BYTES } from "../codec/limits.js";
import type { Service } from "./service.js";
import { httpStatus } from "./status.js";

export interface HttpOptions {
  readonly host?: string;
  readonly port?: number;
  /** Whole request (headers and body) must arrive within this (default 15 s). */
  readonly requestTimeoutMs?: number;
}

const HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

function send(res: ServerResponse, status: number, body: Uint8Array | string): void {
  res.writeHead(status, { ...HEADERS, "content-length": Buffer.byteLength(body) });
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
  if (op === undefined) return send(res, 404, '{"error":"not_found"}');
  if (req.method !== "POST") return send(res, 405, '{"error":"method_not_allowed"}');
  const { bytes, oversize } = await readBody(req, MAX_DOCUMENT_BYTES);
  const answer = await service[op](bytes);
  send(res, oversize ? 413 : httpStatus(answer.class), answer.bytes);
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
  const server = createServer((req, res) => {
    handle(service, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, '{"error":"internal_error"}');
      else res.destroy();
    });
  });
  server.requestTimeout = options.requestTimeoutMs ?? 15_000;
  server.headersTimeout = Math.min(server.requestTimeout, 10_000);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
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
