/**
 * failclosed/vitest must fail, with the seed and the replay command, against a gate that does
 * not fail closed (test/fixtures/broken-targets: allowsForged answers ALLOW to forged seals), on
 * each of its three kinds of target; and pass the correct gate (example-fails-closed.test.ts).
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFailClosedError, assertFailsClosed } from "failclosed/vitest";
import { fixedClock } from "../../src/kernel/clock.js";
import {
  childCommand,
  makeFixtureKeyring,
  openFixtureService,
  type FixtureKeyring,
} from "../fixtures/broken-targets/index.js";
import { serveFixtureHttp } from "../fixtures/broken-targets/http-server.js";
import { writeKeyringFiles } from "../fixtures/broken-targets/keyring.js";

const NOW = Math.floor(Date.now() / 1000);
let keys: FixtureKeyring;
let files: Awaited<ReturnType<typeof writeKeyringFiles>>;
let reports: string;

beforeAll(async () => {
  keys = await makeFixtureKeyring();
  files = await writeKeyringFiles(keys.sets);
  reports = await mkdtemp(join(tmpdir(), "failclosed-vitest-"));
});

afterAll(async () => {
  await files?.remove();
});

async function failure(run: Promise<unknown>): Promise<NotFailClosedError> {
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(NotFailClosedError);
  return error as NotFailClosedError;
}

function expectExplained(error: NotFailClosedError): void {
  expect(error.message).toMatch(/^the gate does not fail closed: seed 11 /);
  expect(error.message).toMatch(/P02 forged-seal: finding P02-[0-9a-f]{16} \(oracle verdict, F1 /);
  expect(error.message).toMatch(/replay: failclosed replay \S+\/findings\/P02-[0-9a-f]{16}\.json/);
  expect(error.seed).toBe(11);
}

const options = (name: string) => ({ only: ["P02"], seed: 11, reportDir: join(reports, name) });

describe("failclosed/vitest against a gate that allows forged seals", () => {
  it("an in-process handler", async () => {
    const gate = await openFixtureService("allowsForged", { sources: keys.sources, clock: fixedClock(NOW) });
    try {
      const handler = { decide: async (body: Uint8Array) => (await gate.decide(body)).bytes };
      expectExplained(
        await failure(assertFailsClosed({ handler, keyring: files.paths }, options("handler"))),
      );
    } finally {
      await gate.close();
    }
  }, 300_000);

  it("an HTTP gate", async () => {
    const gate = await openFixtureService("allowsForged", { sources: keys.sources, clock: fixedClock(NOW) });
    const running = await serveFixtureHttp(gate);
    try {
      expectExplained(
        await failure(assertFailsClosed({ http: running.url, keyring: files.paths }, options("http"))),
      );
    } finally {
      await running.close();
      await gate.close();
    }
  }, 300_000);

  it("a child command", async () => {
    const command = childCommand("allowsForged", files.paths, { keyring: keys, now: NOW });
    expectExplained(await failure(assertFailsClosed({ command, keyring: files.paths }, options("child"))));
  }, 300_000);

  it("a gate that is not there cannot pass", async () => {
    const error = await failure(
      assertFailsClosed({ http: "http://127.0.0.1:1", keyring: files.paths }, options("down")),
    );
    // Never a pass; "could not be judged" once the target health check (#12) sees the gate is down.
    expect(error.message).toMatch(/^the gate (could not be judged|does not fail closed)/);
  }, 120_000);

  it("passes run options through: a clone hook reaches the run, and is refused where it makes no sense", async () => {
    await expect(assertFailsClosed({ reference: true }, { cloneCmd: "./clone-hook.sh" })).rejects.toThrow(
      /--clone-cmd is for an external target/,
    );
  }, 60_000);
});
