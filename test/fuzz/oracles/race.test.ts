/**
 * The race oracle (double-spend, G5): copies of one authorised request fired at once, exactly one
 * of them allowed. Must fire on two or more allows and on none; must stay quiet on exactly one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerOf, raceOracle } from "../../../src/fuzz/oracles/index.js";
import type { Answer } from "../../../src/fuzz/types.js";
import { exampleAllowVerdict } from "../../support/documents.js";
import { DENY_BODY, input, probe, responded, verdictBody } from "./support.js";

const allow = answerOf("decide", responded(verdictBody(exampleAllowVerdict())));
const deny = answerOf("decide", responded(DENY_BODY));

/** Judges every copy of a race whose copies got these answers. */
async function judgeRace(answers: readonly Answer[]) {
  return Promise.all(
    answers.map((answer, copy) =>
      raceOracle.judge(
        input(undefined, probe("attack"), responded(DENY_BODY), {
          expectation: "race",
          race: { copy, answers },
        }),
      ),
    ),
  );
}

describe("race oracle (double-spend)", () => {
  it("the fixture answers decode as ALLOW and DENY", () => {
    expect(allow).toMatchObject({ kind: "document", document: { verdict: "ALLOW" } });
    expect(deny).toMatchObject({ kind: "document", document: { verdict: "DENY" } });
  });

  it("stays quiet when exactly one copy is allowed, wherever it is", async () => {
    for (const answers of [
      [allow, deny, deny],
      [deny, deny, allow],
      [allow, deny],
    ]) {
      expect(await judgeRace(answers)).toEqual(answers.map(() => ({ kind: "pass" })));
    }
  });

  it("fires on a double spend, on the second allowed copy and not the first", async () => {
    const verdicts = await judgeRace([deny, allow, deny, allow]);
    expect(verdicts).toEqual([
      { kind: "pass" },
      { kind: "pass" },
      { kind: "pass" },
      { kind: "fail", reason: "2 of 4 concurrent copies were allowed: double spend (G5)" },
    ]);
  });

  it("fires when no copy of an authorised request is allowed (F5), once", async () => {
    const verdicts = await judgeRace([deny, deny, { kind: "none" }]);
    expect(verdicts[0]).toEqual({
      kind: "fail",
      reason: "none of 3 concurrent copies of a fully authorised request was allowed (F5)",
    });
    expect(verdicts.slice(1)).toEqual([{ kind: "pass" }, { kind: "pass" }]);
  });

  it("is an error, never a pass, without the race's answers", async () => {
    const verdict = await raceOracle.judge(
      input(undefined, probe("attack"), responded(DENY_BODY), { expectation: "race" }),
    );
    expect(verdict.kind).toBe("error");
  });

  it("property: some copy fails iff the number of allowed copies is not exactly one", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 2, maxLength: 12 }), async (allowed) => {
        const verdicts = await judgeRace(allowed.map((a) => (a ? allow : deny)));
        const fails = verdicts.filter((v) => v.kind === "fail").length;
        const allows = allowed.filter(Boolean).length;
        return allows === 1 ? fails === 0 : allows === 0 ? fails === 1 : fails === allows - 1;
      }),
      { numRuns: 200, seed: 5 },
    );
  });
});
