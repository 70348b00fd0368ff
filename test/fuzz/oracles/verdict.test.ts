/** F1's oracle: an attack is never answered ALLOW or PASS, strictly or as a lenient client reads it. */
import { describe, expect, it } from "vitest";
import { verdictOracle } from "../../../src/fuzz/oracles/index.js";
import type { Operation, Outcome } from "../../../src/fuzz/types.js";
import { exampleAllowVerdict, exampleRehearsalResult, exampleVerdict } from "../../support/documents.js";
import { DENY_BODY, channels, input, probe, responded, resultBody, verdictBody } from "./support.js";

const judge = (outcome: Outcome, operation: Operation = "decide") =>
  verdictOracle.judge(input(undefined, probe("attack", operation), outcome));

describe("verdict oracle (F1)", () => {
  it("judges attacks only", () => {
    expect(verdictOracle).toMatchObject({ name: "verdict", rule: "F1", appliesTo: "attack" });
  });

  it("fires on a strict ALLOW verdict and a strict PASS result", async () => {
    expect(await judge(responded(verdictBody(exampleAllowVerdict()), { status: 200 }))).toEqual({
      kind: "fail",
      reason: "verdict ALLOW for an attack",
    });
    expect(await judge(responded(resultBody(exampleRehearsalResult())), "rehearse")).toEqual({
      kind: "fail",
      reason: "rehearsal-result PASS for an attack",
    });
  });

  it("stays quiet on DENY, HOLD, FAIL and REFUSED", async () => {
    expect(await judge(responded(verdictBody(exampleVerdict())))).toEqual({ kind: "pass" });
    expect(
      await judge(
        responded(verdictBody({ ...exampleVerdict(), verdict: "HOLD", reasons: ["hold_default"] })),
      ),
    ).toEqual({
      kind: "pass",
    });
    for (const verdict of ["FAIL", "REFUSED"] as const) {
      const body = resultBody({ kind: "rehearsal-result", v: 1, verdict, reasons: ["internal_error"] });
      expect(await judge(responded(body), "rehearse")).toEqual({ kind: "pass" });
    }
  });

  it("leaves a body that is no verdict at all to the structured oracle", async () => {
    for (const body of ["", "internal error", '{"error":"oops"}', "[]", "\u0000\u00ff"])
      expect(await judge(responded(body, { status: 400 }))).toEqual({ kind: "pass" });
  });

  it("fires when a lenient client would read an allow in a body the strict codec refuses", async () => {
    const lenient = [
      // JSON.parse keeps the last duplicate member.
      '{"kind":"verdict","v":1,"verdict":"DENY","reasons":["seal_invalid"],"verdict":"ALLOW"}',
      // First-wins parsers keep the first.
      '{"kind":"verdict","v":1,"verdict":"ALLOW","verdict":"DENY","reasons":["seal_invalid"]}',
      // An escaped member name still names verdict.
      '{"kind":"verdict","v":1,"reasons":[],"verd\\u0069ct":"ALLOW","verdict":"DENY"}',
      '{"verdict":"allow"}',
      '{"result":{"verdict":"PASS"}}',
      '"ALLOW"',
      "ALLOW\n",
    ];
    for (const body of lenient) {
      const verdict = await judge(responded(body));
      expect(verdict.kind, body).toBe("fail");
    }
  });

  it("fires when decide is answered with a strict PASS result instead of a verdict", async () => {
    expect((await judge(responded(resultBody(exampleRehearsalResult())))).kind).toBe("fail");
  });

  it("passes a crash or a hang (nothing was allowed) and cannot judge a harness error", async () => {
    expect(await judge({ kind: "crashed", elapsedMs: 1, detail: "SIGSEGV", channels: channels() })).toEqual({
      kind: "pass",
    });
    expect(await judge({ kind: "timed_out", elapsedMs: 5000, channels: channels() })).toEqual({
      kind: "pass",
    });
    expect((await judge({ kind: "harness_error", detail: "ECONNREFUSED" })).kind).toBe("error");
    expect(await judge(responded(DENY_BODY, { status: 403 }))).toEqual({ kind: "pass" });
  });
});
