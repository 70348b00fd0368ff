/**
 * The one judging path (oracles/judge.ts): which oracles judge which request, the answer decoded
 * once for all of them, and how their verdicts become one judgement. A thrown oracle is an error
 * (inconclusive), never a pass, and never carries a secret into the judgement.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plantCanaryKey } from "../../../src/fuzz/canary/index.js";
import { ORACLES, judgeAll } from "../../../src/fuzz/oracles/index.js";
import type { Answer, Expectation, Oracle, OracleInput, OracleVerdict } from "../../../src/fuzz/types.js";
import { DENY_BODY, input, probe, responded } from "./support.js";

const canaries = [plantCanaryKey().d];
const fixture = { canaries, sealedBy: () => Promise.resolve(undefined) };

/** The registry's oracles, each recording that it judged and what answer it was handed. */
function spied(): { oracles: Oracle[]; judged: string[]; answers: Answer[] } {
  const judged: string[] = [];
  const answers: Answer[] = [];
  const oracles = ORACLES.map((oracle) => ({
    ...oracle,
    judge: (given: OracleInput) => {
      judged.push(oracle.name);
      answers.push(given.answer);
      return oracle.judge(given);
    },
  }));
  return { oracles, judged, answers };
}

function fixed(name: string, verdict: OracleVerdict | "throws"): Oracle {
  return {
    name,
    rule: "F4",
    appliesTo: "all",
    judge: () => {
      if (verdict === "throws") throw new TypeError(`bad state near ${canaries[0]}`);
      return Promise.resolve(verdict);
    },
  };
}

describe("judgeAll: which oracles judge which request", () => {
  const cases: ReadonlyArray<[Expectation, readonly string[]]> = [
    ["attack", ["verdict", "leak", "echo", "state", "structured", "differential", "metamorphic"]],
    ["control", ["leak", "echo", "structured", "differential", "control", "metamorphic"]],
    // The metamorphic oracle judges every request and derives nothing from steps and races.
    ["setup", ["leak", "echo", "structured", "differential", "sequence", "metamorphic"]],
    ["race", ["double-spend", "leak", "echo", "structured", "differential", "metamorphic"]],
  ];
  for (const [expectation, names] of cases) {
    it(`a request expected as ${expectation} is judged by ${names.join(", ")}`, async () => {
      const { oracles, judged } = spied();
      const race = { copy: 0, answers: [{ kind: "none" } as const] };
      await judgeAll(
        oracles,
        input(fixture, probe("attack"), responded(DENY_BODY, { status: 403 }), {
          expectation,
          ...(expectation === "race" ? { race } : {}),
        }),
      );
      expect([...judged].sort()).toEqual([...names].sort());
    });
  }

  it("hands every oracle the one answer decoded before judging", async () => {
    const { oracles, answers } = spied();
    const judged = await judgeAll(
      oracles,
      input(fixture, probe("attack"), responded(DENY_BODY, { status: 403 })),
    );
    expect(judged).toEqual({ kind: "pass" });
    // verdict, leak, echo, state, structured, differential and metamorphic: the attack's oracles.
    expect(answers).toHaveLength(7);
    expect(answers[0]).toMatchObject({ kind: "document", document: { verdict: "DENY" } });
    for (const answer of answers) expect(answer).toBe(answers[0]);
  });

  it("is an error, never a pass, when no oracle applies", async () => {
    const judged = await judgeAll([], input(fixture, probe("attack"), responded(DENY_BODY)));
    expect(judged).toEqual({ kind: "error", detail: "no oracle judges a request expected as attack" });
  });
});

describe("judgeAll: one judgement from many verdicts", () => {
  it("turns a throwing or rejecting oracle into an error, never a pass, and withholds secrets", async () => {
    const throwing = await judgeAll(
      [fixed("throws", "throws")],
      input(fixture, probe("attack"), responded(DENY_BODY)),
    );
    expect(throwing).toEqual({
      kind: "error",
      detail: "throws: oracle throws threw: withheld: it could not be cleared of canary material",
    });
    expect(JSON.stringify(throwing)).not.toContain(canaries[0]);
    const rejecting: Oracle = {
      ...fixed("rejects", { kind: "pass" }),
      judge: () => Promise.reject(new Error("gone")),
    };
    expect(await judgeAll([rejecting], input(fixture, probe("attack"), responded(DENY_BODY)))).toEqual({
      kind: "error",
      detail: "rejects: oracle rejects threw: Error: gone",
    });
  });

  it("stays quiet when every oracle passes", async () => {
    const judged = await judgeAll(
      [fixed("a", { kind: "pass" }), fixed("b", { kind: "pass" })],
      input(fixture, probe("attack"), responded(DENY_BODY)),
    );
    expect(judged).toEqual({ kind: "pass" });
  });

  it("a failure decides over an error, and the first failure in order names it", async () => {
    const oracles = [
      fixed("errs", { kind: "error", detail: "no data" }),
      fixed("throws", "throws"),
      fixed("first", { kind: "fail", reason: "one" }),
      fixed("second", { kind: "fail", reason: "two" }),
    ];
    const judged = await judgeAll(oracles, input(fixture, probe("attack"), responded(DENY_BODY)));
    expect(judged).toMatchObject({ kind: "fail", reason: "one", oracle: { name: "first" } });
  });

  it("a harness error is an error with its detail cleared of canaries, unless an oracle failed", async () => {
    const harness = { kind: "harness_error", detail: "connection refused" } as const;
    expect(await judgeAll(ORACLES, input(fixture, probe("attack"), harness))).toEqual({
      kind: "error",
      detail: "harness error: connection refused",
    });
    // A canary in the harness's own detail is still a leak (it would end up in a report).
    const leaking = { kind: "harness_error", detail: `refused: ${canaries[0]}` } as const;
    expect(await judgeAll(ORACLES, input(fixture, probe("attack"), leaking))).toMatchObject({
      kind: "fail",
      oracle: { name: "leak" },
    });
  });

  it("property: pass iff every verdict passes; a failure iff any fails (the first named); else an error", async () => {
    const verdict = fc.constantFrom<OracleVerdict | "throws">(
      { kind: "pass" },
      { kind: "fail", reason: "r" },
      { kind: "error", detail: "d" },
      "throws",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(verdict, { minLength: 1, maxLength: 6 }), async (verdicts) => {
        const oracles = verdicts.map((v, i) => fixed(`o${i}`, v));
        const judged = await judgeAll(oracles, input(fixture, probe("attack"), responded(DENY_BODY)));
        const firstFail = verdicts.findIndex((v) => v !== "throws" && v.kind === "fail");
        if (firstFail >= 0) return judged.kind === "fail" && judged.oracle.name === `o${firstFail}`;
        if (verdicts.every((v) => v !== "throws" && v.kind === "pass")) return judged.kind === "pass";
        return judged.kind === "error";
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});
