/**
 * P08 at volume (issue #15): the two flaws its spellings and no-ops are for, each proved to be
 * the flaw it claims (must fire on what it misses, must stay quiet on what it was written for),
 * and each found by P08 through `failclosed calibrate` within a short run at a fixed seed.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p08 } from "../../probes/p08-rollback-escape.js";
import { calibrate } from "../../src/fuzz/calibrate/calibrate.js";
import { keywordClassifier } from "../../src/fuzz/calibrate/flaws/p08-keyword-classifier.js";
import { noOpPasses } from "../../src/fuzz/calibrate/flaws/p08-noop-passes.js";
import { spellingsOf } from "../../src/fuzz/vocab/sql/spellings.js";
import type { RehearsalResult } from "../../src/lane/codec/documents.js";
import { SHIPPED_LANE_COMPONENTS } from "../../src/lane/index.js";
import { classifyMigration } from "../../src/lane/rehearsal/classify/classify.js";
import { migrationOf, type FamilyContext, type RollbackValue } from "../../src/index.js";
import { noOp } from "../../src/fuzz/vocab/sql/no-op.js";
import type { Escape, Mode } from "../../src/fuzz/vocab/sql/words.js";
import { familyContext } from "../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../src/fuzz/engine/seed-corpus.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "../../src/fuzz/keyring/under-test.js";
import { keyOf } from "../../src/fuzz/craft/seal.js";
import { splitKeyring } from "../../src/fuzz/targets/keyring-split.js";
import { createTemplateClone } from "../../src/fuzz/targets/reference-clone.js";
import { fixedClock } from "../../src/kernel/clock.js";
import type { LaneConfig } from "../../src/lane/rehearsal/config.js";
import { openLane, type Lane } from "../../src/lane/rehearsal/lane.js";
import { loadKeyringFromSources } from "../../src/lane/seal/keyring.js";
import { NOW } from "../fuzz/vocab/support.js";

const SEED = 20_260_612;
/** A short run: P08's floor is 150; each flaw must fall well inside it. */
const SHORT_RUN = 60;

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

describe("every no-op against the reference lane on a seeded PGlite clone", () => {
  let root: string;
  let lane: Lane;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "fc-p08-noop-"));
    const cloneDir = join(root, "clone");
    const evidenceDir = join(root, "evidence");
    await mkdir(evidenceDir);
    await createTemplateClone(cloneDir, keyOf(ctx, "operator"), NOW);
    const laneKeyring = await loadKeyringFromSources(splitKeyring(kut.sources).lane, { testMode: true });
    const config: LaneConfig = {
      clone: { engine: "pglite", dataDir: cloneDir },
      production: [{ database: "production" }],
      keyring: [],
      evidenceDir,
      statementTimeoutMs: 10_000,
      compareCluster: true,
    };
    lane = await openLane(config, { testMode: true, keyring: laneKeyring, clock: fixedClock(NOW) });
  }, 120_000);

  afterAll(async () => {
    await lane?.close();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  const alone = (escape: Escape, mode: Mode): RollbackValue => ({
    entropy: 1,
    mode,
    prefix: null,
    placement: "end",
    escapes: [escape],
    style: HOUSE_STYLE,
    size: "within",
  });

  /**
   * A no-op that changed something would PASS on the shipped lane and read as a false finding:
   * each must FAIL for `no_change` (or be refused, for the two C2 refuses), in both modes where
   * it commits (snapshot_restore) something on the seeded table.
   */
  it("never passes one: FAIL no_change, or REFUSED for the comment-only and DO forms", async () => {
    const entries = [
      ...new Map(fc.sample(noOp, { numRuns: 400, seed: SEED }).map((e) => [e.what, e])).values(),
    ];
    expect(entries.length).toBe(16);
    const runs = entries.flatMap((e) =>
      JSON.stringify(e.stmts).includes("public.accounts")
        ? [alone(e, "transactional"), alone(e, "snapshot_restore")]
        : [alone(e, "transactional")],
    );
    const wrong: string[] = [];
    for (const value of runs) {
      const answer = await lane.rehearse(await p08.render(value, ctx));
      const got = `${answer.result.verdict} ${answer.result.reasons.join(",")}`;
      const refused = value.escapes[0]?.cls !== "no_op" || value.escapes[0].what === "a comment only";
      const expected = refused ? "REFUSED refused_by_classifier" : "FAIL no_change";
      if (got !== expected) wrong.push(`${p08.describe(value)}: ${got}`);
    }
    expect(wrong).toEqual([]);
  }, 600_000);
});

describe("P08 finds each flaw in a short calibration run", () => {
  // The catalogue's `shows` holds the keyword classifier's finding to a spelled probe.
  it.each(["p08-keyword-classifier", "p08-noop-passes"])(
    "%s: found by P08's verdict oracle",
    async (id) => {
      const report = await calibrate({ seed: SEED, flaws: [id], runs: SHORT_RUN });
      const outcome = report.flaws[0]?.result;
      expect(outcome, JSON.stringify(outcome)).toMatchObject({
        kind: "found",
        family: "P08",
        oracle: "verdict",
      });
      if (outcome?.kind === "found") expect(outcome.probes).toBeLessThanOrEqual(SHORT_RUN);
    },
    // Rehearsals on PGlite beside other test files: minutes under load.
    600_000,
  );
});
