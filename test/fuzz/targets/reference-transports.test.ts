/**
 * The reference target with `transports` (the default run): one generation served in process, over
 * HTTP on 127.0.0.1 and over JSON lines, each request over the transport its bytes pick, and one
 * refused gate request in three (picked by its bytes too) copied to the other two. Bytes for a given transport are found by varying
 * what does not change the verdict (the request id, trailing whitespace).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRANSPORTS, transportFor, transportPlan } from "../../../src/fuzz/targets/transport-choice.js";
import type { Target, Transport } from "../../../src/fuzz/types.js";
import type { Docs } from "../../support/gate-fixtures.js";
import { openFixtureReference, type FixtureReference } from "./fixture-reference.js";
import { bodyJson, responded, utf8 } from "./outcomes.js";

const LIMIT_MS = 30_000;

let fixture: FixtureReference | undefined;
let target: Target;
let docs: Docs;

beforeAll(async () => {
  fixture = await openFixtureReference("failclosed-reference-transports-", { transports: true });
  ({ target, docs } = fixture);
});

afterAll(async () => {
  await fixture?.close();
});

/** Bytes that `transportFor` sends over `wanted` (and, if `copied` is given, copied or not when refused). */
async function over(
  wanted: Transport,
  make: (attempt: number) => Promise<Uint8Array>,
  copied?: boolean,
): Promise<Uint8Array> {
  for (let attempt = 0; attempt < 256; attempt++) {
    const bytes = await make(attempt);
    if (
      transportFor(bytes) === wanted &&
      (copied === undefined || transportPlan(bytes).copiedWhenRefused === copied)
    )
      return bytes;
  }
  throw new Error(`no bytes for ${wanted} in 256 attempts`);
}

describe("transportFor", () => {
  it("depends on the bytes only and spreads them over all three transports", () => {
    const seen = new Map<Transport, number>();
    for (let i = 0; i < 300; i++) {
      const bytes = utf8(`{"probe":${i}}`);
      expect(transportFor(bytes)).toBe(transportFor(utf8(`{"probe":${i}}`)));
      seen.set(transportFor(bytes), (seen.get(transportFor(bytes)) ?? 0) + 1);
    }
    for (const transport of TRANSPORTS) expect(seen.get(transport) ?? 0).toBeGreaterThan(60);
  });
});

describe("the reference target over T1, T2 and T3", () => {
  it.each(TRANSPORTS)("answers a refusal over %s and copies it to the other two, alike", async (wanted) => {
    const bytes = await over(
      wanted,
      (i) => Promise.resolve(utf8(`{"kind":"action-request",${" ".repeat(i)}`)),
      true,
    );
    const outcome = responded(await target.fire("decide", bytes, LIMIT_MS));
    expect(outcome.transport).toBe(wanted);
    expect(outcome.status).toBe(wanted === "http" ? 400 : undefined);
    const copies = outcome.copies ?? [];
    expect(copies.map((c) => c.transport).sort()).toEqual(TRANSPORTS.filter((t) => t !== wanted).sort());
    for (const copy of copies) {
      const answered = responded(copy.outcome);
      expect(Buffer.from(answered.body).toString("utf8")).toBe(Buffer.from(outcome.body).toString("utf8"));
      expect(answered.status).toBe(copy.transport === "http" ? 400 : undefined);
    }
  });

  it("does not copy a request fired with copies: false (a metamorphic variant), over the same transport", async () => {
    const bytes = await over(
      "http",
      (i) => Promise.resolve(utf8(`{"kind":"action-request",${" ".repeat(i)}`)),
      true,
    );
    const outcome = responded(await target.fire("decide", bytes, LIMIT_MS, { copies: false }));
    expect(outcome.transport).toBe("http");
    expect(outcome.status).toBe(400);
    expect(outcome.copies).toBeUndefined();
    // The same bytes fired as a probe are copied (must fire).
    expect(responded(await target.fire("decide", bytes, LIMIT_MS)).copies).toHaveLength(2);
  });

  it("copies a HOLD with T2's 423 over HTTP", async () => {
    const bytes = await over(
      "in-process",
      async () => (await docs.build(docs.holdScenario("REAL_RUN"))).bytes,
      true,
    );
    const outcome = responded(await target.fire("decide", bytes, LIMIT_MS));
    expect(bodyJson(outcome)).toMatchObject({ verdict: "HOLD" });
    const http = (outcome.copies ?? []).find((c) => c.transport === "http");
    expect(http === undefined ? undefined : responded(http.outcome).status).toBe(423);
  });

  it.each(TRANSPORTS)(
    "allows a fully authorised request over %s and does not copy it (G5)",
    async (wanted) => {
      let nonces = 0;
      const bytes = await over(wanted, async () => {
        const built = await docs.authorized("REAL_RUN");
        nonces = built.nonces.length;
        return built.bytes;
      });
      const before = await target.state?.("decide");
      const outcome = responded(await target.fire("decide", bytes, LIMIT_MS));
      expect(bodyJson(outcome)).toMatchObject({ verdict: "ALLOW" });
      expect(outcome.transport).toBe(wanted);
      expect(outcome.copies).toBeUndefined();
      // The same gate and ledger behind every transport: its spend shows in the one state.
      const after = await target.state?.("decide");
      expect((after?.consumedNonces ?? 0) - (before?.consumedNonces ?? 0)).toBe(nonces);
    },
  );

  it("copies only the refusals its bytes pick: one in three, the same bytes always alike", async () => {
    const bytes = await over(
      "http",
      (i) => Promise.resolve(utf8(`{"kind":"action-request",${" ".repeat(i)}`)),
      false,
    );
    const outcome = responded(await target.fire("decide", bytes, LIMIT_MS));
    expect(outcome.transport).toBe("http");
    expect(outcome.copies).toBeUndefined();
    let copied = 0;
    for (let i = 0; i < 300; i++) if (transportPlan(utf8(`{"probe":${i}}`)).copiedWhenRefused) copied++;
    expect(copied).toBeGreaterThan(60);
    expect(copied).toBeLessThan(140);
  });

  it("fires a race's copies over one transport, without copies of its own", async () => {
    const bytes = (await docs.authorized("REAL_RUN")).bytes;
    const outcomes = (await target.fireCopies?.("decide", bytes, 3, LIMIT_MS)) ?? [];
    expect(outcomes).toHaveLength(3);
    const answers = outcomes.map((o) => responded(o));
    expect(new Set(answers.map((a) => a.transport))).toEqual(new Set([transportFor(bytes)]));
    expect(answers.every((a) => a.copies === undefined)).toBe(true);
    expect(answers.filter((a) => bodyJson(a)["verdict"] === "ALLOW")).toHaveLength(1);
  });

  it("rehearses over the transport the bytes pick, never copied", async () => {
    const bytes = await over("json-lines", (i) =>
      Promise.resolve(utf8(`{"kind":"rehearsal-request","v":2}${" ".repeat(i)}`)),
    );
    const outcome = responded(await target.fire("rehearse", bytes, LIMIT_MS));
    expect(outcome.transport).toBe("json-lines");
    expect(outcome.copies).toBeUndefined();
    expect(bodyJson(outcome)).toMatchObject({ kind: "rehearsal-result", verdict: "REFUSED" });
  });
});
