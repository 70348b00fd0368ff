/**
 * The HTTP target's mechanics (T2) against raw node:http servers: what counts as an answer (5xx
 * too), crashes (refused, reset), timeouts, kept-alive connections and the request it sends.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openHttpTarget } from "../../../src/fuzz/targets/http.js";
import type { Target } from "../../../src/fuzz/types.js";
import { bodyText, kindOf, responded, utf8 } from "./outcomes.js";

const LIMIT_MS = 10_000;

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

interface TestServer {
  readonly url: string;
  readonly server: Server;
  connections: number;
  close(): Promise<void>;
}

const cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(handler: Handler): Promise<TestServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, res, Buffer.concat(chunks)));
  });
  const state = { connections: 0 };
  server.on("connection", () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const running: TestServer = {
    url: `http://127.0.0.1:${port}`,
    server,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  cleanup.push(() => running.close());
  return running;
}

function target(url: string): Target {
  const opened = openHttpTarget(url);
  cleanup.push(() => opened.close());
  return opened;
}

describe("the HTTP target", () => {
  it("POSTs the exact bytes to /v1/decide and /v1/rehearse", async () => {
    const seen: Array<{ method?: string; url?: string; type?: string; body: string }> = [];
    const server = await serve((req, res, body) => {
      seen.push({
        method: req.method,
        url: req.url,
        type: req.headers["content-type"],
        body: body.toString("latin1"),
      });
      res.end("{}");
    });
    const http = target(server.url);
    const raw = new Uint8Array([0x7b, 0xff, 0x00, 0x7d]);
    responded(await http.fire("decide", raw, LIMIT_MS));
    responded(await http.fire("rehearse", utf8("{}"), LIMIT_MS));
    expect(seen).toEqual([
      {
        method: "POST",
        url: "/v1/decide",
        type: "application/json",
        body: Buffer.from(raw).toString("latin1"),
      },
      { method: "POST", url: "/v1/rehearse", type: "application/json", body: "{}" },
    ]);
  });

  it("reports status, lowercased headers and body; a 5xx is still an answer for the oracles", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503, { "X-Debug-Info": "abc", "Content-Type": "application/json" });
      res.end('{"error":"down"}');
    });
    const outcome = responded(await target(server.url).fire("decide", utf8("{}"), LIMIT_MS));
    expect(outcome.status).toBe(503);
    expect(outcome.headers["x-debug-info"]).toBe("abc");
    expect(outcome.headers["content-type"]).toBe("application/json");
    expect(bodyText(outcome)).toBe('{"error":"down"}');
    expect(outcome.channels.rows).toEqual([]);
  });

  it("keeps repeated headers, joined", async () => {
    const server = await serve((_req, res) => {
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.end("{}");
    });
    const outcome = responded(await target(server.url).fire("decide", utf8("{}"), LIMIT_MS));
    expect(outcome.headers["set-cookie"]).toBe("a=1, b=2");
  });

  it("reuses one kept-alive connection for successive probes", async () => {
    const server = await serve((_req, res) => res.end("{}"));
    const http = target(server.url);
    for (let i = 0; i < 5; i += 1) responded(await http.fire("decide", utf8("{}"), LIMIT_MS));
    expect(server.connections).toBe(1);
  });

  it("records a refused connection as crashed", async () => {
    const server = await serve((_req, res) => res.end("{}"));
    await server.close();
    const crashed = kindOf(await target(server.url).fire("decide", utf8("{}"), LIMIT_MS), "crashed");
    expect(crashed.detail).toContain("ECONNREFUSED");
  });

  it("records a connection reset before any answer as crashed", async () => {
    const server = await serve((req) => req.socket.destroy());
    const crashed = kindOf(await target(server.url).fire("decide", utf8("{}"), LIMIT_MS), "crashed");
    expect(crashed.detail).toMatch(/ECONNRESET|socket hang up/);
  });

  it("records an answer broken off half-way as crashed", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write('{"verdict":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    expect((await target(server.url).fire("decide", utf8("{}"), LIMIT_MS)).kind).toBe("crashed");
  });

  it("times out a probe that gets no answer, and the next probe works", async () => {
    let requests = 0;
    const server = await serve((_req, res) => {
      requests += 1;
      if (requests === 1) return; // Never answered.
      res.end('{"ok":true}');
    });
    const http = target(server.url);
    const timedOut = kindOf(await http.fire("decide", utf8("{}"), 200), "timed_out");
    expect(timedOut.elapsedMs).toBeGreaterThanOrEqual(190);
    expect(bodyText(await http.fire("decide", utf8("{}"), LIMIT_MS))).toBe('{"ok":true}');
  });

  it("sends again, once, when a kept-alive socket turns out closed by the server", async () => {
    // What a stale kept-alive socket looks like to the client: reset on its second request.
    const perSocket = new WeakMap<object, number>();
    const server = await serve((req, res) => {
      const count = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, count);
      if (count === 2) req.socket.destroy();
      else res.end(`{"n":${count}}`);
    });
    const http = target(server.url);
    expect(bodyText(await http.fire("decide", utf8("{}"), LIMIT_MS))).toBe('{"n":1}');
    expect(bodyText(await http.fire("decide", utf8("{}"), LIMIT_MS))).toBe('{"n":1}');
    expect(server.connections).toBe(2);
  });

  it("serves probes concurrently", async () => {
    const server = await serve((_req, res) => setTimeout(() => res.end("{}"), 100));
    const http = target(server.url);
    const start = Date.now();
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => http.fire("decide", utf8("{}"), LIMIT_MS)));
    expect(outcomes.map((o) => o.kind)).toEqual(["responded", "responded", "responded", "responded"]);
    expect(Date.now() - start).toBeLessThan(390);
  });

  it("has no state to report, and restart() only drops the kept-alive sockets", async () => {
    const server = await serve((_req, res) => res.end("{}"));
    const http = target(server.url);
    expect("state" in http).toBe(false);
    expect(http.name).toBe(`http:${server.url}`);
    responded(await http.fire("decide", utf8("{}"), LIMIT_MS));
    await http.restart();
    responded(await http.fire("decide", utf8("{}"), LIMIT_MS));
    expect(server.connections).toBe(2);
  });

  it("takes only http:// URLs", () => {
    expect(() => openHttpTarget("https://gate.example")).toThrow(/http:\/\//);
  });
});
