import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadFamilies } from "../../../src/fuzz/engine/families.js";
import { breaksText, isRuleId, RULE_IDS, type RuleId } from "../../../src/index.js";
import { vocabContext } from "./support.js";

describe("RuleId", () => {
  it("holds SPEC's 45 stable ids once each, in the families R, S, G, C, E, T, F", () => {
    expect(RULE_IDS.length).toBe(45);
    expect(new Set(RULE_IDS).size).toBe(45);
    for (const id of RULE_IDS) expect(id).toMatch(/^[RSGCETF]\d{1,2}$/);
  });

  it("every family declares RuleIds, and every sampled attack's breaks text starts with them", async () => {
    const ctx = await vocabContext();
    for (const family of await loadFamilies()) {
      expect(
        family.rules.filter((r) => !isRuleId(r)),
        family.id,
      ).toEqual([]);
      if (family.role === "control") continue;
      for (const value of fc.sample(family.arbitrary(ctx), { numRuns: 40, seed: 7 })) {
        const text = family.breaks(value, ctx);
        if (text === undefined) continue; // P04 scenarios that spend without reusing
        const ids = text.slice(0, text.indexOf(":")).split("/");
        expect(
          ids.filter((id) => !isRuleId(id)),
          `${family.id}: ${text}`,
        ).toEqual([]);
      }
    }
  });

  it("tells ids from typos at run time too", () => {
    expect(isRuleId("G3")).toBe(true);
    expect(isRuleId("R12")).toBe(false);
    expect(isRuleId("g3")).toBe(false);
    expect(isRuleId("G3 ")).toBe(false);
  });

  it("is a type: a typo does not compile", () => {
    const fine: RuleId = "C6";
    // @ts-expect-error R12 is no rule of SPEC
    const typo: RuleId = "R12";
    expect([fine, typo]).toHaveLength(2);
  });

  it("breaksText names the rule, any second rule, and the words", () => {
    expect(breaksText({ rule: "R3", what: "duplicate member selected" })).toBe(
      "R3: duplicate member selected",
    );
    expect(breaksText({ rule: "C1", also: ["S4"], what: "marker sealed as grant+jws" })).toBe(
      "C1/S4: marker sealed as grant+jws",
    );
  });
});
