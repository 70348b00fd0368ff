/**
 * The differential oracle (T1-T3): a refusal's copies on the other transports must be the same
 * verdict, reasons and request_id, with T2's status over HTTP and no key material.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { differentialOracle, judgeAll, ORACLES } from "../../../src/fuzz/oracles/index.js";
import type { Outcome, Transport, TransportCopy } from "../../../src/fuzz/types.js";
import { exampleAllowVerdict } from "../../support/documents.js";
import {
  channels,
  input,
  makeOracleFixture,
  probe,
  responded,
  verdictBody,
  type OracleFixture,
} from "./support.js";

let fixture: OracleFixture;

beforeAll(async () => {
  fixture = await makeOracleFixture();
});

const DENY = verdictBody({
  kind: "verdict",
  v: 1,
  verdict: "DENY",
  reasons: ["seal_invalid", "grant_missing"],
  request_id: "req-1",
});
const HOLD = verdictBody({
  kind: "verdict",
  v: 1,
  verdict: "HOLD",
  reasons: ["hold_default"],
  request_id: "req-1",
});

function copy(transport: Transport, outcome: Outcome): TransportCopy {
  return { transport, outcome };
}

/** The first answer over `from`, with its copies. */
function fired(from: Transport, body: Uint8Array, copies: readonly TransportCopy[]): Outcome {
  const first = responded(body, from === "http" ? { status: 403 } : { headers: {} });
  return first.kind === "responded" ? { ...first, transport: from, copies } : first;
}

const judge = (outcome: Outcome) => differentialOracle.judge(input(fixture, probe("attack"), outcome));

describe("differential oracle (T1-T3)", () => {
  it("judges every request, in the registry after structured", () => {
    expect(differentialOracle).toMatchObject({ name: "differential", rule: "F4", appliesTo: "all" });
    const names = ORACLES.map((o) => o.name);
    expect(names.indexOf("differential")).toBeGreaterThan(names.indexOf("structured"));
  });

  describe("stays quiet", () => {
    it("on copies that answer alike, HTTP with T2's status (reasons in any order)", async () => {
      const reordered = verdictBody({
        kind: "verdict",
        v: 1,
        verdict: "DENY",
        reasons: ["grant_missing", "seal_invalid"],
        request_id: "req-1",
      });
      const outcome = fired("in-process", DENY, [
        copy("http", responded(reordered, { status: 403 })),
        copy("json-lines", responded(DENY, { headers: {} })),
      ]);
      expect(await judge(outcome)).toEqual({ kind: "pass" });
    });

    it("on a HOLD copied with 423", async () => {
      const outcome = fired("json-lines", HOLD, [
        copy("in-process", responded(HOLD, { headers: {} })),
        copy("http", responded(HOLD, { status: 423 })),
      ]);
      expect(await judge(outcome)).toEqual({ kind: "pass" });
    });

    it("on an answer with no copies (an ALLOW, a rehearsal, a target with one transport)", async () => {
      expect(await judge(responded(verdictBody(exampleAllowVerdict()), { status: 200 }))).toEqual({
        kind: "pass",
      });
      expect(await judge(fired("http", DENY, []))).toEqual({ kind: "pass" });
      expect(await judge({ kind: "timed_out", elapsedMs: 5, channels: channels() })).toEqual({
        kind: "pass",
      });
    });
  });

  describe("fires", () => {
    it("when a copy allows what the first transport refused (a stale reply)", async () => {
      const allow = verdictBody({ ...exampleAllowVerdict(), request_id: "req-0" });
      const verdict = await judge(
        fired("in-process", DENY, [
          copy("http", responded(DENY, { status: 403 })),
          copy("json-lines", responded(allow, { headers: {} })),
        ]),
      );
      expect(verdict.kind).toBe("fail");
      expect(verdict.kind === "fail" ? verdict.reason : "").toMatch(
        /^over json-lines: ALLOW .* where in-process answered DENY/,
      );
    });

    it("when HTTP carries a DENY with 200 (T2 wants 403)", async () => {
      const verdict = await judge(
        fired("json-lines", DENY, [
          copy("in-process", responded(DENY, { headers: {} })),
          copy("http", responded(DENY, { status: 200 })),
        ]),
      );
      expect(verdict).toEqual({ kind: "fail", reason: "over http: HTTP 200 for DENY (T2 wants 403)" });
    });

    it("when the reasons differ, or the request_id", async () => {
      const other = verdictBody({
        kind: "verdict",
        v: 1,
        verdict: "DENY",
        reasons: ["seal_invalid"],
        request_id: "req-1",
      });
      const renamed = verdictBody({
        kind: "verdict",
        v: 1,
        verdict: "DENY",
        reasons: ["seal_invalid", "grant_missing"],
        request_id: "req-2",
      });
      for (const body of [other, renamed]) {
        const verdict = await judge(
          fired("in-process", DENY, [copy("json-lines", responded(body, { headers: {} }))]),
        );
        expect(verdict.kind).toBe("fail");
      }
    });

    it("when a copy crashes, hangs or is not a verdict document", async () => {
      const none = channels();
      const broken: Outcome[] = [
        { kind: "crashed", elapsedMs: 1, detail: "EPIPE", channels: none },
        { kind: "timed_out", elapsedMs: 15_000, channels: none },
        responded("not json", { headers: {} }),
      ];
      for (const outcome of broken) {
        const verdict = await judge(fired("http", DENY, [copy("json-lines", outcome)]));
        expect(verdict.kind, outcome.kind).toBe("fail");
      }
    });

    it("when a copy's headers carry key material (F2 on the copy)", async () => {
      const secret = fixture.canaries[fixture.canaries.length - 1] ?? "";
      const verdict = await judge(
        fired("in-process", DENY, [
          copy("http", responded(DENY, { status: 403, headers: { "x-debug": secret } })),
        ]),
      );
      expect(verdict.kind).toBe("fail");
      expect(verdict.kind === "fail" ? verdict.reason : "").toMatch(/^over http: /);
    });

    it("names the finding through the one judging path when only a copy disagrees", async () => {
      // No request_id: the hand-made probe's bytes carry none, and echo would name it first (G7).
      const bare = verdictBody({ kind: "verdict", v: 1, verdict: "DENY", reasons: ["seal_invalid"] });
      const judgement = await judgeAll(
        ORACLES,
        input(
          fixture,
          probe("attack"),
          fired("in-process", bare, [copy("http", responded(bare, { status: 200 }))]),
        ),
      );
      expect(judgement).toMatchObject({ kind: "fail", oracle: { name: "differential" } });
    });
  });
});
