/**
 * T2: the status follows the bytes actually written. The strict encoder replaces a verdict it
 * cannot encode with a bare DENY; the HTTP status must then be the DENY's 403, never the 200 of
 * the ALLOW that was decided (must fire), and a normal answer keeps its own status (must stay
 * quiet).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VerdictDocument } from "../../../src/lane/codec/documents.js";
import { encodeDocument } from "../../../src/lane/codec/encode.js";
import { verdictBytes } from "../../../src/lane/gate/verdict.js";
import { startHttpServer, type RunningHttpServer } from "../../../src/lane/server/http.js";
import { openGateService, type GateService } from "../../../src/lane/server/gate-service.js";
import { classifyWrittenRehearsal, classifyWrittenVerdict } from "../../../src/lane/server/service.js";
import { Docs, fixedClock, makeTestKeys, realNow, type TestKeys } from "../../support/gate-fixtures.js";

/** T2 takes application/json only (415 otherwise). */
const JSON_HEADERS = { "content-type": "application/json" } as const;

const BARE_DENY: VerdictDocument = { kind: "verdict", v: 1, verdict: "DENY", reasons: ["internal_error"] };

let keys: TestKeys;
let docs: Docs;
let honest: GateService;
let replacing: GateService;
let servers: RunningHttpServer[] = [];

beforeAll(async () => {
  keys = await makeTestKeys();
  const now = realNow();
  docs = new Docs(keys, now);
  const options = {
    keyring: keys.keyring,
    database: { engine: "pglite" },
    clock: fixedClock(now),
    skewSeconds: 60,
  } as const;
  honest = await openGateService(options);
  // The encoder's last line of defence taken: every ALLOW is written as a bare DENY.
  replacing = await openGateService({
    ...options,
    components: {
      writeVerdict: (verdict) =>
        verdict.verdict === "ALLOW" ? encodeDocument("verdict", BARE_DENY) : verdictBytes(verdict),
    },
  });
  servers = [await startHttpServer(honest), await startHttpServer(replacing)];
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await honest?.close();
  await replacing?.close();
});

async function post(server: RunningHttpServer, body: Uint8Array): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.url}/v1/decide`, { method: "POST", headers: JSON_HEADERS, body });
  return { status: response.status, body: await response.text() };
}

describe("the HTTP status of a decision", () => {
  it("is the DENY's 403 when an ALLOW was written as a bare DENY", async () => {
    const request = await docs.authorized("CUTOVER");
    const answer = await post(servers[1] as RunningHttpServer, request.bytes);
    expect(answer).toEqual({ status: 403, body: JSON.stringify(BARE_DENY) });
  });

  it("stays 200 for an ALLOW written as an ALLOW", async () => {
    const request = await docs.authorized("CUTOVER");
    const answer = await post(servers[0] as RunningHttpServer, request.bytes);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ verdict: "ALLOW" });
  });
});

describe("classifying written bytes", () => {
  it("classifies each verdict and result by what the bytes say", () => {
    const hold: VerdictDocument = { kind: "verdict", v: 1, verdict: "HOLD", reasons: ["hold_default"] };
    const malformed: VerdictDocument = {
      kind: "verdict",
      v: 1,
      verdict: "DENY",
      reasons: ["malformed_input"],
    };
    expect(classifyWrittenVerdict(encodeDocument("verdict", hold))).toBe("hold");
    expect(classifyWrittenVerdict(encodeDocument("verdict", malformed))).toBe("malformed");
    expect(classifyWrittenVerdict(encodeDocument("verdict", BARE_DENY))).toBe("deny");
    expect(
      classifyWrittenRehearsal(
        encodeDocument("rehearsal-result", {
          kind: "rehearsal-result",
          v: 1,
          verdict: "REFUSED",
          reasons: ["no_marker"],
        }),
      ),
    ).toBe("refused");
  });

  it("treats bytes that are not a verdict at all as a refusal, never an ALLOW or a PASS", () => {
    const junk = [
      new Uint8Array(),
      Buffer.from('{"verdict":"ALLOW"}'),
      Buffer.from("ALLOW"),
      Buffer.from('{"kind":"verdict","v":1,"verdict":"ALLOW","reasons":[]}'),
    ];
    for (const bytes of junk) {
      expect(classifyWrittenVerdict(bytes)).toBe("deny");
      expect(classifyWrittenRehearsal(bytes)).toBe("refused");
    }
  });
});
