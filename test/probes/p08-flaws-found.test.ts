/**
 * P08 at volume (issue #15), end to end (the slow suite): every no-op FAILs or is refused on the
 * reference lane (a no-op that changed something would PASS there and read as a false finding),
 * and P08 finds each of the two flaws its spellings and no-ops are for through `failclosed
 * calibrate` within a short run at a fixed seed (p08-spellings.test.ts proves each is its flaw).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p08 } from "../../probes/p08-rollback-escape.js";
import { calibrate } from "../../src/fuzz/calibrate/calibrate.js";
import type { FamilyContext, RollbackValue } from "../../src/index.js";
import { noOp } from "../../src/fuzz/vocab/sql/no-op.js";
import type { Escape, Mode } from "../../src/fuzz/vocab/sql/words.js";
import { familyContext } from "../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../src/fuzz/engine/seed-corpus.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "../../src/fuzz/keyring/under-test.js";
import type { Lane } from "../../src/lane/rehearsal/lane.js";
import { openReferenceLane, type OpenedReferenceLane } from "../support/reference-lane.js";
import { NOW } from "../fuzz/vocab/support.js";

const SEED = 20_260_612;
/** A short run: P08's floor is 150; each flaw must fall well inside it. */
const SHORT_RUN = 60;

let kut: KeyringUnderTest;
let ctx: FamilyContext;
beforeAll(async () => {
  kut = await deriveKeyringUnderTest("p08-spellings");
  ctx = familyContext(kut, NOW, "p08-spellings", await loadSeedCorpus());
});

/** Upper case, single spaces, no comments: the no-ops as plainly as they can be written. */
const HOUSE_STYLE = { casing: "upper", caseSeed: 1, gaps: [], lead: 0, separator: 0 } as const;

describe("every no-op against the reference lane on a seeded PGlite clone", () => {
  let opened: OpenedReferenceLane | undefined;
  let lane: Lane;

  beforeAll(async () => {
    opened = await openReferenceLane(ctx, kut, NOW, "fc-p08-noop-");
    lane = opened.lane;
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
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
