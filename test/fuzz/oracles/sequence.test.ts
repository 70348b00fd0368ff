/**
 * The sequence oracle (F5 inside a scenario): a setup step, whose grants the family's model says
 * are fresh, must be allowed with a gate-sealed permit. Must fire on a refused, crashed or hung
 * setup and name the step; must stay quiet on a real ALLOW; judges setups only.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ORACLES, judgeAll, sequenceOracle } from "../../../src/fuzz/oracles/index.js";
import type { Outcome } from "../../../src/fuzz/types.js";
import {
  exampleActionRequest,
  exampleAllowVerdict,
  exampleGrant,
  examplePermit,
} from "../../support/documents.js";
import type { OracleFixture } from "./support.js";
import { DENY_BODY, channels, input, makeOracleFixture, probe, responded, verdictBody } from "./support.js";

let fx: OracleFixture;
beforeAll(async () => {
  fx = await makeOracleFixture();
});

const step = { index: 1, count: 4 };
const judge = (outcome: Outcome) =>
  sequenceOracle.judge(input(fx, probe("attack"), outcome, { expectation: "setup", step }));

describe("sequence oracle (F5 for a scenario's setups)", () => {
  it("judges setup steps only", () => {
    expect(sequenceOracle).toMatchObject({ name: "sequence", rule: "F5", appliesTo: "setup" });
  });

  it("stays quiet on a setup allowed with a gate-sealed permit, and so does the whole judging path", async () => {
    const permit = await fx.seal("gate", "permit", examplePermit());
    const allowed = responded(verdictBody({ ...exampleAllowVerdict(), permit }));
    expect(await judge(allowed)).toEqual({ kind: "pass" });
    // The whole path includes G7 (echo.ts): the ALLOW's request_id must be the one a well-formed
    // request sent.
    const sent = Buffer.from(JSON.stringify(exampleActionRequest()));
    const whole = await judgeAll(
      ORACLES,
      input(fx, probe("attack", "decide", sent), allowed, { expectation: "setup", step }),
    );
    expect(whole).toEqual({ kind: "pass" });
  });

  it("fires on a refused setup and names the step", async () => {
    expect(await judge(responded(DENY_BODY))).toEqual({
      kind: "fail",
      reason: "setup step 2 of 4 got DENY: seal_invalid",
    });
  });

  it("fires on an ALLOW without a gate permit, a crash or a hang; cannot judge a harness error", async () => {
    const byOwner = await fx.seal("owner", "grant", exampleGrant());
    expect(await judge(responded(verdictBody({ ...exampleAllowVerdict(), permit: byOwner })))).toEqual({
      kind: "fail",
      reason: "setup step 2 of 4 got ALLOW without a permit sealed by a gate key",
    });
    expect(await judge({ kind: "crashed", elapsedMs: 1, detail: "x", channels: channels() })).toEqual({
      kind: "fail",
      reason: "setup step 2 of 4 crashed instead of being allowed",
    });
    expect((await judge({ kind: "timed_out", elapsedMs: 1, channels: channels() })).kind).toBe("fail");
    expect((await judge({ kind: "harness_error", detail: "x" })).kind).toBe("error");
  });
});
