/**
 * P08 at volume (issue #15): the two flaws its spellings and no-ops are for, each proved to be
 * the flaw it claims (must fire on what it misses, must stay quiet on what it was written for).
 * That P08 finds each, and that no no-op passes the reference lane: p08-flaws-found.test.ts.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { family as p08 } from "../../probes/p08-rollback-escape.js";
import { keywordClassifier } from "../../src/fuzz/calibrate/flaws/p08-keyword-classifier.js";
import { noOpPasses } from "../../src/fuzz/calibrate/flaws/p08-noop-passes.js";
import { spellingsOf } from "../../src/fuzz/vocab/sql/spellings.js";
import type { RehearsalResult } from "../../src/lane/codec/documents.js";
import { SHIPPED_LANE_COMPONENTS } from "../../src/lane/index.js";
import { classifyMigration } from "../../src/lane/rehearsal/classify/classify.js";
import { migrationOf, type FamilyContext, type RollbackValue } from "../../src/index.js";
import { familyContext } from "../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../src/fuzz/engine/seed-corpus.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "../../src/fuzz/keyring/under-test.js";
import { NOW } from "../fuzz/vocab/support.js";

const SEED = 20_260_612;

let kut: KeyringUnderTest;
let ctx: FamilyContext;
let values: RollbackValue[];
beforeAll(async () => {
  kut = await deriveKeyringUnderTest("p08-spellings");
  ctx = familyContext(kut, NOW, "p08-spellings", await loadSeedCorpus());
  values = fc.sample(p08.arbitrary(ctx), { numRuns: 600, seed: SEED }).filter((v) => v.size === "within");
});

/** Written in the house style: upper case, no comments, no quoting tricks, a plain string of statements. */
const plain = (v: RollbackValue): boolean =>
  v.style.casing === "upper" && [...spellingsOf(v)].every((s) => s === "multi-statement");
const HOUSE_STYLE = { casing: "upper", caseSeed: 1, gaps: [], lead: 0, separator: 0 } as const;

describe("p08-keyword-classifier: the flaw it claims to be", () => {
  it("must stay quiet: refuses every sampled escape written in the house style that the parser refuses", async () => {
    const plainRefused = [];
    const restyled = values.map((v): RollbackValue => ({ ...v, style: HOUSE_STYLE })).filter(plain);
    for (const v of restyled) {
      const sql = migrationOf(v);
      if ((await classifyMigration(sql)).ok) continue;
      plainRefused.push(v);
      expect((await keywordClassifier(sql)).ok, `${p08.describe(v)}\n${sql}`).toBe(false);
    }
    expect(plainRefused.length).toBeGreaterThan(100);
  });

  it("must fire: lets through escapes the parser refuses, each behind a spelling", async () => {
    const missed: RollbackValue[] = [];
    for (const v of values) {
      const sql = migrationOf(v);
      if (!(await classifyMigration(sql)).ok && (await keywordClassifier(sql)).ok) missed.push(v);
    }
    expect(missed.length).toBeGreaterThan(50);
    expect(missed.filter(plain).map((v) => p08.describe(v))).toEqual([]);
  });
});

describe("p08-noop-passes: the flaw it claims to be", () => {
  const result = (
    verdict: RehearsalResult["verdict"],
    reasons: RehearsalResult["reasons"],
  ): RehearsalResult => ({
    kind: "rehearsal-result",
    v: 1,
    verdict,
    reasons,
    rehearsal_id: "r-1",
  });
  const written = (r: RehearsalResult): unknown =>
    JSON.parse(Buffer.from(noOpPasses(r, new Uint8Array())).toString("utf8"));
  const shipped = (r: RehearsalResult): unknown =>
    JSON.parse(Buffer.from(SHIPPED_LANE_COMPONENTS.writeResult(r, new Uint8Array())).toString("utf8"));

  it("must fire: a FAIL for no_change alone is written as PASS", () => {
    expect(written(result("FAIL", ["no_change"]))).toMatchObject({ verdict: "PASS", reasons: [] });
  });

  it("must stay quiet: every other result is written as the shipped writer writes it", () => {
    for (const r of [
      result("FAIL", ["no_change", "sequence_drift"]),
      result("FAIL", ["sequence_drift"]),
      result("REFUSED", ["refused_by_classifier"]),
    ])
      expect(written(r)).toEqual(shipped(r));
  });
});
