import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { canariesFromJwks } from "../../src/fuzz/canary/index.js";
import { loadFamilies } from "../../src/fuzz/engine/families.js";
import { deriveKeyringUnderTest } from "../../src/fuzz/keyring/under-test.js";
import { familyContext } from "../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../src/fuzz/engine/seed-corpus.js";
import type { FamilyContext, ProbeFamily, Step } from "../../src/fuzz/types.js";

/**
 * The contract every family keeps, checked over all of them as the engine loads them: the same seed
 * gives the same bytes; every generated value, and every value fast-check tries while shrinking,
 * breaks a rule its family names; no secret of the keyring under test appears in any input.
 */
const SALT = "contract";
const NOW = 1_781_265_600;
let families: ProbeFamily[];
let ctx: FamilyContext;
let secretForms: string[];

function forms(secret: string): string[] {
  const bytes = Buffer.from(secret, "base64url");
  return [secret, bytes.toString("base64"), bytes.toString("hex"), bytes.toString("hex").toUpperCase()];
}

async function rendered(family: ProbeFamily, value: unknown): Promise<string> {
  const bytes = Buffer.from(await family.render(value, ctx)).toString("latin1");
  const steps: readonly Step[] = (await family.renderSteps?.(value, ctx)) ?? [];
  const clone = await family.cloneSetup?.(value, ctx);
  return [
    bytes,
    ...steps.map((s) => Buffer.from(s.bytes).toString("latin1")),
    JSON.stringify(clone ?? null),
  ].join("\n");
}

beforeAll(async () => {
  families = await loadFamilies();
  const kut = await deriveKeyringUnderTest(SALT);
  ctx = familyContext(kut, NOW, SALT, await loadSeedCorpus());
  secretForms = canariesFromJwks(kut.jwkSets).flatMap(forms);
});

describe("every probe family", () => {
  it("is found by directory: ten attacks, the two controls and the two fault drills", () => {
    expect(families.map((f) => `${f.id}:${f.role}`)).toEqual([
      "C01:control",
      "C02:control",
      "D01:attack",
      "D02:attack",
      ...["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10"].map((id) => `${id}:attack`),
    ]);
  });

  it("renders the same bytes (steps, clone) for the same seed", async () => {
    for (const family of families) {
      const first = fc.sample(family.arbitrary(ctx), { numRuns: 15, seed: 11 });
      const second = fc.sample(family.arbitrary(ctx), { numRuns: 15, seed: 11 });
      for (const [i, value] of first.entries()) {
        expect(await rendered(family, value), family.id).toBe(await rendered(family, second[i]));
      }
    }
  });

  it("names the rule every generated attack breaks, and puts no secret of the keyring in any input", async () => {
    for (const family of families) {
      for (const value of fc.sample(family.arbitrary(ctx), { numRuns: 25, seed: 5 })) {
        const text = await rendered(family, value);
        for (const form of secretForms)
          expect(text.includes(form), `${family.id} carries a secret`).toBe(false);
        if (family.role === "control") continue;
        const rule = family.breaks(value, ctx);
        // P04 skips scenarios that spend without reusing (the engine never fires those).
        if (family.id === "P04" && rule === undefined) continue;
        expect(rule, `${family.id}: ${family.describe(value)}`).toMatch(/^[A-Z][A-Z0-9/]*\d?.*: ./);
      }
    }
  });

  it("never shrinks an attack into a value that breaks nothing", () => {
    for (const family of families.filter((f) => f.role === "attack" && f.id !== "P04")) {
      const seen: unknown[] = [];
      // Every value fails, so fast-check shrinks the first one as far as it goes.
      fc.check(
        fc.property(family.arbitrary(ctx), (value) => {
          seen.push(value);
          return false;
        }),
        { seed: 9, numRuns: 1 },
      );
      expect(seen.length, family.id).toBeGreaterThan(1);
      for (const value of seen)
        expect(family.breaks(value, ctx), `${family.id}: ${family.describe(value)}`).toBeDefined();
    }
  });
});
