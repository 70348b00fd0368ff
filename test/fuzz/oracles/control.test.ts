/** F5's oracle: a positive control is allowed with a real permit, or passes with real evidence. */
import { beforeAll, describe, expect, it } from "vitest";
import { controlOracle } from "../../../src/fuzz/oracles/index.js";
import type { Operation, Outcome } from "../../../src/fuzz/types.js";
import {
  exampleAllowVerdict,
  exampleEvidence,
  exampleGrant,
  examplePermit,
  exampleRehearsalResult,
} from "../../support/documents.js";
import type { OracleFixture } from "./support.js";
import {
  DENY_BODY,
  channels,
  input,
  makeOracleFixture,
  probe,
  responded,
  resultBody,
  verdictBody,
} from "./support.js";

let fx: OracleFixture;
beforeAll(async () => {
  fx = await makeOracleFixture();
});

const judge = (outcome: Outcome, operation: Operation = "decide") =>
  controlOracle.judge(input(fx, probe("control", operation), outcome));

describe("control oracle (F5)", () => {
  it("judges controls only", () => {
    expect(controlOracle).toMatchObject({ name: "control", rule: "F5", appliesTo: "control" });
  });

  it("stays quiet on ALLOW with a gate-sealed permit and PASS with rehearsal-sealed evidence", async () => {
    const permit = await fx.seal("gate", "permit", examplePermit());
    expect(
      await judge(responded(verdictBody({ ...exampleAllowVerdict(), permit }), { status: 200 })),
    ).toEqual({
      kind: "pass",
    });
    const evidence = await fx.seal("rehearsal", "evidence", exampleEvidence());
    expect(await judge(responded(resultBody({ ...exampleRehearsalResult(), evidence })), "rehearse")).toEqual(
      {
        kind: "pass",
      },
    );
  });

  it("fires with the reasons when a control is refused", async () => {
    expect(await judge(responded(DENY_BODY, { status: 403 }))).toEqual({
      kind: "fail",
      reason: "control got DENY: seal_invalid",
    });
    const held = verdictBody({ kind: "verdict", v: 1, verdict: "HOLD", reasons: ["hold_default"] });
    expect(await judge(responded(held))).toEqual({ kind: "fail", reason: "control got HOLD: hold_default" });
    const failed = resultBody({
      kind: "rehearsal-result",
      v: 1,
      verdict: "FAIL",
      reasons: ["no_change", "not_restored"],
    });
    expect(await judge(responded(failed), "rehearse")).toEqual({
      kind: "fail",
      reason: "control got FAIL: no_change, not_restored",
    });
  });

  it("fires on a positive verdict whose permit or evidence no right key sealed", async () => {
    const byOwner = await fx.seal("owner", "grant", exampleGrant());
    expect(await judge(responded(verdictBody({ ...exampleAllowVerdict(), permit: byOwner })))).toEqual({
      kind: "fail",
      reason: "control got ALLOW without a permit sealed by a gate key",
    });
    expect(await judge(responded(resultBody(exampleRehearsalResult())), "rehearse")).toEqual({
      kind: "fail",
      reason: "control got PASS without evidence sealed by a rehearsal key",
    });
  });

  it("fires on no document, a crash or a hang, and cannot judge a harness error", async () => {
    expect(await judge(responded("OK"))).toEqual({
      kind: "fail",
      reason: "control got no strict verdict document (syntax)",
    });
    expect((await judge({ kind: "crashed", elapsedMs: 1, detail: "x", channels: channels() })).kind).toBe(
      "fail",
    );
    expect((await judge({ kind: "timed_out", elapsedMs: 1, channels: channels() })).kind).toBe("fail");
    expect((await judge({ kind: "harness_error", detail: "x" })).kind).toBe("error");
  });
});
