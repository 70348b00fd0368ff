import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { checkHealth, withHealthCheck, type Health } from "../../../src/fuzz/targets/health.js";
import { NO_CHANNELS } from "../../../src/fuzz/targets/channels.js";
import type { Outcome, Target } from "../../../src/fuzz/types.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function serving(status: number): Promise<string> {
  server = createServer((req, res) => {
    res.statusCode = req.url === "/healthz" ? status : 404;
    res.end("{}");
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("target health", () => {
  it("HTTP: up when /healthz answers 200", async () => {
    expect(await checkHealth({ kind: "http", url: await serving(200) }, 5_000)).toEqual({ kind: "up" });
  });

  it("HTTP: down when /healthz answers anything else, naming the status", async () => {
    const health = await checkHealth({ kind: "http", url: await serving(503) }, 5_000);
    expect(health.kind).toBe("down");
    expect(health.kind === "down" && health.detail).toContain("503");
  });

  it("HTTP: down when nothing listens, naming the address", async () => {
    const health = await checkHealth({ kind: "http", url: "http://127.0.0.1:1" }, 5_000);
    expect(health.kind === "down" && health.detail).toMatch(/127\.0\.0\.1:1\/healthz.*ECONNREFUSED/);
  });

  it("child: up when it answers a line, down when it exits at once", async () => {
    expect(await checkHealth({ kind: "child", command: "read line; echo '{}'" }, 10_000)).toEqual({
      kind: "up",
    });
    const health = await checkHealth({ kind: "child", command: "true" }, 10_000);
    expect(health.kind === "down" && health.detail).toContain("exit code 0");
  });
});

function fakeTarget(outcome: Outcome, restarts: { count: number }): Target {
  return {
    name: "fake",
    operations: ["decide"],
    fire: () => Promise.resolve(outcome),
    restart: () => {
      restarts.count++;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

const crashed: Outcome = { kind: "crashed", elapsedMs: 1, detail: "socket hang up", channels: NO_CHANNELS };
const answered: Outcome = {
  kind: "responded",
  elapsedMs: 1,
  status: 403,
  headers: {},
  body: new Uint8Array(),
  channels: NO_CHANNELS,
};
const up = (): Promise<Health> => Promise.resolve({ kind: "up" });
const down = (): Promise<Health> => Promise.resolve({ kind: "down", detail: "ECONNREFUSED" });

describe("withHealthCheck", () => {
  it("a crash on a target that answers again stays a crash (the engine confirms it)", async () => {
    const restarts = { count: 0 };
    const outcome = await withHealthCheck(fakeTarget(crashed, restarts), up).fire(
      "decide",
      new Uint8Array(),
      1,
    );
    expect(outcome).toBe(crashed);
    expect(restarts.count).toBe(1);
  });

  it("a crash on a target that cannot be brought back is a harness error, never a finding", async () => {
    const outcome = await withHealthCheck(fakeTarget(crashed, { count: 0 }), down).fire(
      "decide",
      new Uint8Array(),
      1,
    );
    expect(outcome.kind).toBe("harness_error");
    expect(outcome.kind === "harness_error" && outcome.detail).toMatch(
      /could not be brought back: ECONNREFUSED/,
    );
  });

  it("a hang on a target that is gone is a harness error too", async () => {
    const hung: Outcome = { kind: "timed_out", elapsedMs: 1, channels: NO_CHANNELS };
    const outcome = await withHealthCheck(fakeTarget(hung, { count: 0 }), down).fire(
      "decide",
      new Uint8Array(),
      1,
    );
    expect(outcome.kind).toBe("harness_error");
  });

  it("an answer is passed through without asking for health", async () => {
    const restarts = { count: 0 };
    let asked = 0;
    const outcome = await withHealthCheck(fakeTarget(answered, restarts), () => {
      asked++;
      return down();
    }).fire("decide", new Uint8Array(), 1);
    expect(outcome).toBe(answered);
    expect([asked, restarts.count]).toEqual([0, 0]);
  });
});
