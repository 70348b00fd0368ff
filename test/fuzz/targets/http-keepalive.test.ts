/**
 * The HTTP target's kept-alive connections never make a crash the gate did not cause (the README
 * own-gate flake: probes answered with ECONNRESET "socket hang up" and reported as flaky F4
 * findings), and never hide one it did cause:
 * - restart() after one probe hung or crashed must not reset the sibling probes in flight;
 * - when every pooled socket was closed by the server (an idle gap around its keep-alive timeout),
 *   a probe is sent again on a connection of its own, not on the next stale pooled socket;
 * - a gate that drops the connection on certain bytes is a crash, on a reused socket too;
 * - idle sockets are closed here before `failclosed serve` closes them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { IDLE_SOCKET_MS, openHttpTarget } from "../../../src/fuzz/targets/http.js";
import { HTTP_DEFAULTS } from "../../../src/lane/server/http.js";
import type { Target } from "../../../src/fuzz/types.js";
import { bodyText, kindOf, utf8 } from "./outcomes.js";

const LIMIT_MS = 20_000;

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface Served {
  readonly url: string;
  readonly server: Server;
  readonly sockets: Socket[];
}

async function serve(handler: Handler): Promise<Served> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  const sockets: Socket[] = [];
  server.on("connection", (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}`, server, sockets };
}

function target(url: string): Target {
  const opened = openHttpTarget(url);
  cleanup.push(() => opened.close());
  return opened;
}

const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("the HTTP target's kept-alive connections", () => {
  it("restart() after a crash leaves the sibling probes in flight to be answered", async () => {
    // The sibling is answered only once the restart has happened: deterministic, whatever the load.
    let answerSibling: (() => void) | undefined;
    const server = await serve((_req, res, body) => {
      if (body === "crash") return res.socket?.destroy();
      if (body !== "sibling") return res.end('{"next":true}');
      answerSibling = () => res.end('{"sibling":true}');
    });
    const http = target(server.url);
    const sibling = http.fire("decide", utf8("sibling"), LIMIT_MS);
    while (answerSibling === undefined) await later(5);
    kindOf(await http.fire("decide", utf8("crash"), LIMIT_MS), "crashed");
    // What fire.ts does after a crash or a hang.
    await http.restart();
    answerSibling();
    expect(bodyText(await sibling)).toBe('{"sibling":true}');
    // New probes go on new connections; the old one is let go once its probe is answered.
    expect(bodyText(await http.fire("decide", utf8("next"), LIMIT_MS))).toBe('{"next":true}');
  });

  it("sends again on a connection of its own when every pooled socket was closed by the server", async () => {
    // Four sockets, then the server "closes" each idle one as it is reused (a reset on its next
    // request): what an idle gap just at the server's keep-alive timeout does to a pool.
    const served = new WeakMap<object, number>();
    let stale = false;
    const server = await serve((req, res) => {
      const count = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, count);
      if (stale && count > 1) return req.socket.destroy();
      setTimeout(() => res.end(`{"n":${count}}`), 50);
    });
    const http = target(server.url);
    await Promise.all([1, 2, 3, 4].map(() => http.fire("decide", utf8("{}"), LIMIT_MS)));
    expect(server.sockets).toHaveLength(4);
    stale = true;
    expect(bodyText(await http.fire("decide", utf8("{}"), LIMIT_MS))).toBe('{"n":1}');
  });

  it("still reports a gate that drops the connection on these bytes as crashed, on a reused socket too", async () => {
    const server = await serve((req, res, body) => {
      if (body.includes("boom")) return req.socket.destroy();
      res.end("{}");
    });
    const http = target(server.url);
    for (let i = 0; i < 3; i += 1)
      expect(bodyText(await http.fire("decide", utf8("{}"), LIMIT_MS))).toBe("{}");
    const crashed = kindOf(await http.fire("decide", utf8('{"boom":1}'), LIMIT_MS), "crashed");
    expect(crashed.detail).toMatch(/ECONNRESET|socket hang up/);
    // The first attempt on the kept-alive socket, and the one retry on a new connection: no more.
    expect(server.sockets).toHaveLength(2);
  });

  it("closes an idle socket before failclosed serve's keep-alive timeout would", async () => {
    expect(IDLE_SOCKET_MS).toBeLessThan(HTTP_DEFAULTS.keepAliveTimeoutMs);
    const server = await serve((_req, res) => res.end("{}"));
    server.server.keepAliveTimeout = HTTP_DEFAULTS.keepAliveTimeoutMs;
    const http = target(server.url);
    expect(bodyText(await http.fire("decide", utf8("{}"), LIMIT_MS))).toBe("{}");
    const socket = server.sockets[0];
    await new Promise((resolve) => socket?.once("close", resolve));
    // Who closed it, not when: the client's close reaches the server as an end of stream first;
    // the server's own keep-alive timer would destroy the socket without one.
    expect(socket?.readableEnded).toBe(true);
  }, 30_000);
});
