/**
 * T2's limits (issue #13): only application/json reaches the gate (415 otherwise: a browser's
 * CORS-simple bodies, text/plain, forms and multipart, never spend a grant), header and body
 * timeouts as configured (15 s by default, tested here with smaller values), and a cap on open
 * connections beyond which a new connection is closed at once while the server keeps answering.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeDocument } from "../../../src/lane/codec/encode.js";
import { HTTP_DEFAULTS, startHttpServer, type RunningHttpServer } from "../../../src/lane/server/http.js";
import { isJsonMediaType } from "../../../src/lane/server/media-type.js";
import { openGateService, type GateService } from "../../../src/lane/server/gate-service.js";
import type { Service } from "../../../src/lane/server/service.js";
import {
  Docs,
  expectAllowShape,
  expectRefusal,
  makeTestKeys,
  realNow,
  type TestKeys,
} from "../../support/gate-fixtures.js";

/** A service that only counts: the transport's limits must hold before anything reaches it. */
function countingService(): Service & { readonly calls: { decide: number; rehearse: number } } {
  const calls = { decide: 0, rehearse: 0 };
  const hold = encodeDocument("verdict", {
    kind: "verdict",
    v: 1,
    verdict: "HOLD",
    reasons: ["hold_default"],
  });
  return {
    calls,
    decide: () => {
      calls.decide++;
      return Promise.resolve({ bytes: hold, class: "hold" });
    },
    rehearse: () => {
      calls.rehearse++;
      return Promise.reject(new Error("not here"));
    },
    health: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** A raw connection; resolves `closed` with everything the server sent before it closed. */
function rawConnection(url: string): { socket: Socket; opened: Promise<void>; closed: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  return {
    socket,
    opened: new Promise((resolve) => socket.once("connect", () => resolve())),
    closed: new Promise((resolve) => socket.once("close", () => resolve(received))),
  };
}

describe("isJsonMediaType", () => {
  it("accepts application/json with at most a UTF-8 charset, in any case", () => {
    for (const header of [
      "application/json",
      "Application/JSON",
      "application/json; charset=utf-8",
      'application/json;charset="UTF-8"',
    ]) {
      expect(isJsonMediaType(header)).toBe(true);
    }
  });
  it("refuses everything else, a missing header included", () => {
    for (const header of [
      undefined,
      "",
      "text/plain",
      "text/plain; charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonx",
      "application/json-patch+json",
      "application/json; charset=latin1",
      "application/json; boundary=x",
      "application/json, text/plain",
    ]) {
      expect(isJsonMediaType(header)).toBe(false);
    }
  });
});

describe("T2 takes application/json only (415 otherwise)", () => {
  let keys: TestKeys;
  let docs: Docs;
  let service: GateService;
  let http: RunningHttpServer;

  beforeAll(async () => {
    keys = await makeTestKeys();
    docs = new Docs(keys, realNow());
    service = await openGateService({ keyring: keys.keyring, database: { engine: "pglite" } });
    http = await startHttpServer(service);
  }, 120_000);
  afterAll(async () => {
    await http?.close();
    await service?.close();
  });

  it("an authorised request sent as a CORS-simple body is 415, spends nothing, and is allowed once sent as JSON", async () => {
    const request = await docs.authorized("CUTOVER");
    const auditBefore = await service.ledger.auditEntries(1000);
    for (const type of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=b",
    ]) {
      const response = await fetch(`${http.url}/v1/decide`, {
        method: "POST",
        headers: { "content-type": type },
        body: request.bytes,
      });
      expect(response.status).toBe(415);
      expectRefusal(await response.text(), keys, "DENY", ["malformed_input"], undefined);
    }
    // fetch with a string body and no header sends text/plain: the browser's default.
    const plain = await fetch(`${http.url}/v1/decide`, {
      method: "POST",
      body: Buffer.from(request.bytes).toString("utf8"),
    });
    expect(plain.status).toBe(415);
    const rehearse = await fetch(`${http.url}/v1/rehearse`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    expect(rehearse.status).toBe(415);
    expect(JSON.parse(await rehearse.text())).toStrictEqual({
      kind: "rehearsal-result",
      v: 1,
      verdict: "REFUSED",
      reasons: ["malformed_input"],
    });
    expect(await service.ledger.consumedCount()).toBe(0);
    expect(await service.ledger.auditEntries(1000)).toStrictEqual(auditBefore);

    const json = await fetch(`${http.url}/v1/decide`, {
      method: "POST",
      headers: { "content-type": "Application/JSON; charset=UTF-8" },
      body: request.bytes,
    });
    expect(json.status).toBe(200);
    expectAllowShape(await json.text(), request.requestId);
  });
});

describe("T2 timeouts and connection cap, with small configured values", () => {
  it("documents 15 s timeouts and a cap by default", () => {
    expect(HTTP_DEFAULTS).toMatchObject({ headersTimeoutMs: 15_000, requestTimeoutMs: 15_000 });
    expect(HTTP_DEFAULTS.maxConnections).toBeGreaterThan(0);
  });

  it("cuts off a client whose headers never end, and one whose body never ends; the service is never called", async () => {
    const service = countingService();
    const http = await startHttpServer(service, { headersTimeoutMs: 400, requestTimeoutMs: 800 });
    try {
      const slowHeaders = rawConnection(http.url);
      await slowHeaders.opened;
      slowHeaders.socket.write("POST /v1/decide HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n");
      const slowBody = rawConnection(http.url);
      await slowBody.opened;
      slowBody.socket.write(
        "POST /v1/decide HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
      );
      // Node answers 408 and closes; either way the connection ends without a verdict.
      for (const received of [await slowHeaders.closed, await slowBody.closed]) {
        expect(received === "" || received.startsWith("HTTP/1.1 408")).toBe(true);
      }
      expect(service.calls.decide).toBe(0);
      // Still serving (must stay quiet for a prompt client).
      const ok = await fetch(`${http.url}/v1/decide`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(ok.status).toBe(423);
      expect(service.calls.decide).toBe(1);
    } finally {
      await http.close();
    }
  }, 30_000);

  it("closes connections beyond the cap at once and answers again when one goes away", async () => {
    const service = countingService();
    const http = await startHttpServer(service, {
      maxConnections: 3,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
    });
    const idle = Array.from({ length: 3 }, () => rawConnection(http.url));
    try {
      await Promise.all(idle.map((c) => c.opened));
      // Give the server a turn to accept all three before the fourth arrives.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const beyond = rawConnection(http.url);
      beyond.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      expect(await beyond.closed).toBe("");

      idle[0]?.socket.destroy();
      await idle[0]?.closed;
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        const again = rawConnection(http.url);
        again.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        const received = await again.closed;
        status = received.startsWith("HTTP/1.1 200") ? 200 : 0;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe(200);
    } finally {
      for (const c of idle) c.socket.destroy();
      await http.close();
    }
  }, 30_000);
});

describe("T2 closes a connection whose request body it did not read to the end", () => {
  /** Sends one request with a body on a raw keep-alive connection; what came back before close. */
  async function answerOn(url: string, head: string, body: string): Promise<string> {
    const conn = rawConnection(url);
    await conn.opened;
    conn.socket.write(`${head}\r\nHost: x\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`);
    conn.socket.write(body);
    // Keep-alive is the default in HTTP/1.1: only the server's own close resolves this.
    return conn.closed;
  }

  it("a body over the limit gets 413 with Connection: close, and the connection ends (must fire)", async () => {
    const service = countingService();
    const http = await startHttpServer(service);
    try {
      const received = await answerOn(
        http.url,
        "POST /v1/decide HTTP/1.1\r\ncontent-type: application/json",
        "x".repeat(200_000),
      );
      expect(received.startsWith("HTTP/1.1 413")).toBe(true);
      expect(received.toLowerCase()).toContain("connection: close");
    } finally {
      await http.close();
    }
  }, 30_000);

  it("415, 404 and 405 with a body close too", async () => {
    const service = countingService();
    const http = await startHttpServer(service);
    try {
      for (const [head, status] of [
        ["POST /v1/decide HTTP/1.1\r\ncontent-type: text/plain", "415"],
        ["POST /nowhere HTTP/1.1\r\ncontent-type: application/json", "404"],
        ["PUT /v1/decide HTTP/1.1\r\ncontent-type: application/json", "405"],
      ] as const) {
        const received = await answerOn(http.url, head, "{}");
        expect(received.startsWith(`HTTP/1.1 ${status}`), received).toBe(true);
        expect(received.toLowerCase()).toContain("connection: close");
      }
      expect(service.calls.decide).toBe(0);
    } finally {
      await http.close();
    }
  }, 30_000);

  it("a request read to its end keeps the connection for the next one (must stay quiet)", async () => {
    const service = countingService();
    const http = await startHttpServer(service);
    const conn = rawConnection(http.url);
    try {
      await conn.opened;
      const request =
        "POST /v1/decide HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
      conn.socket.write(request + request);
      // Two answers on one connection, then the client ends it: the server never closed first.
      for (let i = 0; i < 100 && service.calls.decide < 2; i++) await new Promise((r) => setTimeout(r, 20));
      conn.socket.end();
      const received = await conn.closed;
      expect(received.match(/HTTP\/1\.1 423/g)?.length).toBe(2);
      expect(received.toLowerCase()).not.toContain("connection: close");
    } finally {
      conn.socket.destroy();
      await http.close();
    }
  }, 30_000);
});
