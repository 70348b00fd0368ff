/** F4's oracle: a verdict document of the right kind, in time, with T2's status; never a crash. */
import { describe, expect, it } from "vitest";
import { plantCanaryKey } from "../../../src/fuzz/canary/index.js";
import { structuredOracle } from "../../../src/fuzz/oracles/index.js";
import type { Operation, Outcome } from "../../../src/fuzz/types.js";
import { exampleAllowVerdict, exampleRehearsalResult } from "../../support/documents.js";
import { channels, input, probe, responded, resultBody, verdictBody } from "./support.js";

const judge = (outcome: Outcome, operation: Operation = "decide", canaries: readonly string[] = []) =>
  structuredOracle.judge({ ...input(undefined, probe("attack", operation), outcome), canaries });

const deny = (...reasons: DenyReason[]) => verdictBody({ kind: "verdict", v: 1, verdict: "DENY", reasons });
type DenyReason = Parameters<typeof verdictBody>[0]["reasons"][number];
const result = (
  verdict: "FAIL" | "REFUSED",
  ...reasons: Parameters<typeof resultBody>[0]["reasons"][number][]
) => resultBody({ kind: "rehearsal-result", v: 1, verdict, reasons });

describe("structured oracle (F4)", () => {
  it("judges every probe", () => {
    expect(structuredOracle).toMatchObject({ name: "structured", rule: "F4", appliesTo: "all" });
  });

  it("stays quiet on every verdict with its T2 status, and without a status (in process, stdio)", async () => {
    const cases: Array<[Uint8Array, number, Operation]> = [
      [verdictBody(exampleAllowVerdict()), 200, "decide"],
      [verdictBody({ kind: "verdict", v: 1, verdict: "HOLD", reasons: ["hold_default"] }), 423, "decide"],
      [deny("seal_invalid"), 403, "decide"],
      [deny("seal_invalid", "malformed_input"), 403, "decide"],
      [deny("malformed_input"), 400, "decide"],
      [deny("schema_violation", "malformed_input"), 400, "decide"],
      [deny("malformed_input"), 413, "decide"],
      [deny("seal_invalid", "malformed_input"), 413, "decide"],
      [resultBody(exampleRehearsalResult()), 200, "rehearse"],
      [result("FAIL", "no_change"), 422, "rehearse"],
      [result("REFUSED", "no_marker"), 403, "rehearse"],
      [result("REFUSED", "schema_violation"), 400, "rehearse"],
      [result("REFUSED", "malformed_input"), 413, "rehearse"],
    ];
    for (const [body, status, operation] of cases) {
      expect(await judge(responded(body, { status }), operation), `${status}`).toEqual({ kind: "pass" });
      expect(await judge(responded(body), operation)).toEqual({ kind: "pass" });
    }
  });

  it("fires on a status T2 does not give that verdict", async () => {
    const cases: Array<[Uint8Array, number, Operation]> = [
      [deny("seal_invalid"), 200, "decide"],
      [deny("seal_invalid"), 400, "decide"],
      [deny("malformed_input"), 403, "decide"],
      [deny("schema_violation"), 413, "decide"],
      [verdictBody(exampleAllowVerdict()), 201, "decide"],
      [result("FAIL", "no_change"), 403, "rehearse"],
      [result("REFUSED", "no_marker"), 200, "rehearse"],
    ];
    for (const [body, status, operation] of cases) {
      const verdict = await judge(responded(body, { status }), operation);
      expect(verdict).toMatchObject({
        kind: "fail",
        reason: expect.stringMatching(/^HTTP \d+ for \w+ \(T2 wants/) as unknown,
      });
    }
  });

  it("fires on a hang, a crash and a 5xx", async () => {
    expect(await judge({ kind: "timed_out", elapsedMs: 5000.4, channels: channels() })).toEqual({
      kind: "fail",
      reason: "hang: no answer within 5000 ms",
    });
    expect(
      await judge({ kind: "crashed", elapsedMs: 1, detail: "exit code 134\nmore", channels: channels() }),
    ).toEqual({
      kind: "fail",
      reason: "crashed (detail withheld: no canaries to check it against)",
    });
    expect(await judge(responded(deny("internal_error"), { status: 500 }))).toEqual({
      kind: "fail",
      reason: "HTTP 500",
    });
    expect(await judge(responded('{"error":"internal_error"}', { status: 503 }))).toEqual({
      kind: "fail",
      reason: "HTTP 503",
    });
  });

  it("shows a crash's first line only when it holds no canary", async () => {
    const secret = plantCanaryKey().d;
    const crash = (detail: string): Outcome => ({
      kind: "crashed",
      elapsedMs: 1,
      detail,
      channels: channels(),
    });
    expect(await judge(crash("exit code 134\nstack"), "decide", [secret])).toEqual({
      kind: "fail",
      reason: "crashed (exit code 134)",
    });
    const leaked = await judge(crash(`key ${secret}`), "decide", [secret]);
    expect(leaked).toEqual({ kind: "fail", reason: "crashed (detail withheld: it holds canary material)" });
  });

  it("fires on a bare stack trace and on anything that is not a strict document of the right kind", async () => {
    expect(
      await judge(responded("TypeError: x is undefined\n    at decide (/srv/gate.js:10:5)", { status: 400 })),
    ).toEqual({
      kind: "fail",
      reason: "bare stack trace in the body",
    });
    expect(await judge(responded('{"error":"Error: bad"}'))).toEqual({
      kind: "fail",
      reason: "bare stack trace in the body",
    });
    const unstructured = [
      "",
      "denied",
      '{"kind":"verdict","v":1,"verdict":"DENY","reasons":["seal_invalid"],"verdict":"DENY"}',
      '{"kind":"verdict","v":1,"verdict":"DENY","reasons":["no such reason"]}',
      '{"kind":"verdict","v":1,"verdict":"DENY","reasons":["seal_invalid"],"echo":"input"}',
      '{"kind":"verdict","v":1,"verdict":"DENY","reasons":["seal_invalid"],"permit":"a.b.c"}',
    ];
    for (const body of unstructured) {
      expect(await judge(responded(body, { status: 403 })), body).toMatchObject({
        kind: "fail",
        reason: expect.stringMatching(
          /^unstructured answer: not a strict verdict document \(\w+, R\d+\)$/,
        ) as unknown,
      });
    }
    // A rehearsal result is the wrong kind of answer for decide, and the other way round.
    expect((await judge(responded(result("FAIL", "no_change"), { status: 422 }))).kind).toBe("fail");
    expect((await judge(responded(deny("seal_invalid"), { status: 403 }), "rehearse")).kind).toBe("fail");
  });

  it("cannot judge a harness error", async () => {
    expect((await judge({ kind: "harness_error", detail: "ECONNREFUSED" })).kind).toBe("error");
  });

  it("fires on a stack trace in what the component printed while it refused (a fault drill's stderr)", async () => {
    const printed =
      "TypeError: cannot read properties of undefined\n    at commit (/srv/gate/ledger.js:12:7)\n";
    for (const where of ["stderr", "stdout"] as const) {
      const verdict = await judge(responded(deny("internal_error"), { channels: { [where]: printed } }));
      expect(verdict).toEqual({ kind: "fail", reason: `stack trace in what it printed (${where})` });
    }
  });

  it("stays quiet on a clean printed error line, with its stable code and no frames", async () => {
    const printed =
      "failclosed: KEY_WRONG_ROLE: key gate-1 has role rehearsal, but a gate key is needed\nError: see above\n";
    expect(await judge(responded(deny("internal_error"), { channels: { stderr: printed } }))).toEqual({
      kind: "pass",
    });
  });
});
