/**
 * T1-T3 through the targets: the same request bytes get the same verdict bytes from the reference
 * target in process, from the reference gate behind HTTP (openHttpTarget) and from the reference
 * gate as a JSON-lines child (openChildTarget). Refusals are compared byte for byte; ALLOWs carry
 * a permit of their own each, so each transport gets fresh grants.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openReferenceTarget } from "../../../src/fuzz/targets/reference.js";
import type { Operation, Target } from "../../../src/fuzz/types.js";
import { makeFixtureKeyring } from "../../fixtures/broken-targets/keyring.js";
import { startFixtureTarget, type StartedFixture } from "../../fixtures/broken-targets/start.js";
import { BASE_NOW, Docs, fixedClock, keysFromSets } from "../../support/gate-fixtures.js";
import { tempDir } from "../../support/keyrings.js";
import { bodyJson, bodyText, responded, utf8 } from "./outcomes.js";

const LIMIT_MS = 30_000;

let docs: Docs;
let work: { dir: string; remove: () => Promise<void> };
let inProcess: Target;
let http: StartedFixture;
let child: StartedFixture;

beforeAll(async () => {
  const keyring = await makeFixtureKeyring();
  docs = new Docs(await keysFromSets(keyring.sets, true), BASE_NOW);
  work = await tempDir("failclosed-transports-");
  [inProcess, http, child] = await Promise.all([
    openReferenceTarget({
      keyringSources: keyring.sources,
      clock: fixedClock(BASE_NOW),
      workDir: work.dir,
      testMode: true,
    }),
    startFixtureTarget("correct", "http", { keyring, now: BASE_NOW }),
    startFixtureTarget("correct", "child", { keyring, now: BASE_NOW }),
  ]);
});

afterAll(async () => {
  await inProcess?.close();
  await http?.close();
  await child?.close();
  await work?.remove();
});

function targets(): Array<[string, Target]> {
  return [
    ["in process", inProcess],
    ["http", http.target],
    ["child", child.target],
  ];
}

async function fireAll(operation: Operation, bytes: Uint8Array): Promise<string[]> {
  const bodies: string[] = [];
  // One after the other: the child's first probe also waits for it to start.
  for (const [, target] of targets()) bodies.push(bodyText(await target.fire(operation, bytes, LIMIT_MS)));
  return bodies;
}

describe("the same bytes over T1, T2 and T3", () => {
  it("get the same HOLD, byte for byte", async () => {
    const built = await docs.build(docs.holdScenario("CUTOVER"));
    const [local, ...others] = await fireAll("decide", built.bytes);
    expect(JSON.parse(local ?? "")).toMatchObject({ verdict: "HOLD", request_id: built.requestId });
    for (const other of others) expect(other).toBe(local);
  });

  const refusals: Array<[string, () => Promise<Uint8Array>]> = [
    ["malformed bytes", () => Promise.resolve(utf8('{"kind":"action-request",'))],
    ["a duplicate member", () => Promise.resolve(utf8('{"kind":"action-request","kind":"action-request"}'))],
    ["a schema violation", () => Promise.resolve(utf8('{"kind":"action-request","v":2}'))],
    ["the empty body", () => Promise.resolve(new Uint8Array())],
    [
      "a packet sealed by the gate's key",
      async () => {
        const scenario = docs.scenario("REAL_RUN");
        scenario.packet.role = "gate";
        return (await docs.build(scenario)).bytes;
      },
    ],
    [
      "a weaker option than the action needs",
      async () => {
        const scenario = docs.scenario("REAL_RUN");
        scenario.packet.payload["selected"] = "AUTHORIZE_PRODUCTION_DRYRUN_ONLY";
        return (await docs.build(scenario)).bytes;
      },
    ],
  ];
  it.each(refusals)("get the same DENY for %s", async (_name, make) => {
    const [local, ...others] = await fireAll("decide", await make());
    expect(JSON.parse(local ?? "")).toMatchObject({ verdict: "DENY" });
    for (const other of others) expect(other).toBe(local);
  });

  it("each allow a fully authorised request of their own, with a permit", async () => {
    for (const [name, target] of targets()) {
      const built = await docs.authorized("REAL_RUN");
      const verdict = bodyJson(await target.fire("decide", built.bytes, LIMIT_MS));
      expect(verdict, name).toMatchObject({ verdict: "ALLOW", reasons: [], request_id: built.requestId });
      expect(typeof verdict["permit"], name).toBe("string");
    }
  });

  it("HTTP adds the T2 status and lowercased headers; the others have neither", async () => {
    const built = await docs.build(docs.holdScenario("REAL_RUN"));
    const overHttp = responded(await http.target.fire("decide", built.bytes, LIMIT_MS));
    expect(overHttp.status).toBe(423);
    expect(overHttp.headers["content-type"]).toBe("application/json");
    for (const name of Object.keys(overHttp.headers)) expect(name).toBe(name.toLowerCase());
    const malformed = responded(await http.target.fire("decide", utf8("{"), LIMIT_MS));
    expect(malformed.status).toBe(400);
    const overChild = responded(await child.target.fire("decide", built.bytes, LIMIT_MS));
    expect(overChild.status).toBeUndefined();
    expect(overChild.headers).toEqual({});
  });
});
