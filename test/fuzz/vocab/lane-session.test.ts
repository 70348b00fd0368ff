/**
 * P08's lane-session class (issues #14, #18): the family draws every entry of the table in every
 * mode the entry names, alone and byte for byte, naming the entry's SPEC rule; and the reference
 * lane answers every drawn migration, as P08 renders it, fail-closed (FAIL or REFUSED, never PASS)
 * with the clone equal to before, on PGlite and, when FAILCLOSED_TEST_DATABASE_URL is set, on
 * PostgreSQL 15. The lane runs with the reference target's statement timeout (10 s), so the
 * measured cost is the default run's.
 */
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p08 } from "../../../probes/p08-rollback-escape.js";
import { migrationOf, type FamilyContext, type RollbackValue } from "../../../src/index.js";
import { LANE_SESSION_ESCAPES } from "../../../src/fuzz/vocab/lane-session-escapes.js";
import { laneSessionEscape } from "../../../src/fuzz/vocab/sql/escapes/lane-session.js";
import type { LaneConfig } from "../../../src/lane/rehearsal/config.js";
import type { DatabaseDigest } from "../../../src/lane/rehearsal/digest/digest.js";
import {
  CLONE_SETUP_SQL,
  createLaneRole,
  createRealClone,
  digestPgliteDir,
  digestUrl,
  makePgliteClone,
  pgliteLaneConfig,
  realLaneConfig,
  rehearsalRequest,
  rehearseOnce,
  tempRoot,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";
import { hasRealServer } from "../../support/real-postgres.js";
import { vocabContext } from "./support.js";

let ctx: FamilyContext;
beforeAll(async () => {
  ctx = await vocabContext();
});

const sessionValues = (values: readonly RollbackValue[]): RollbackValue[] =>
  values.filter((v) => v.escapes.some((e) => e.cls === "lane_session"));

describe("P08 draws the lane-session class", () => {
  it("every entry in every mode it allows, under any seed (fast-check over seeds)", () => {
    const wanted = LANE_SESSION_ESCAPES.flatMap((e) => e.modes.map((m) => `${e.name} ${m}`)).sort();
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const drawn = sessionValues(fc.sample(p08.arbitrary(ctx), { numRuns: 4_000, seed }));
        const seen = new Set(drawn.map((v) => `${v.escapes[0]?.what.split(" ")[0] ?? ""} ${v.mode}`));
        expect([...seen].sort()).toEqual(wanted);
      }),
      { numRuns: 4 },
    );
  });

  it("each draw stands alone, keeps the entry's SQL byte for byte, stays in its modes and names its rule", () => {
    const values = sessionValues(fc.sample(p08.arbitrary(ctx), { numRuns: 2_000, seed: 18 }));
    expect(values.length).toBeGreaterThan(150);
    for (const value of values) {
      const entry = LANE_SESSION_ESCAPES.find((e) => value.escapes[0]?.what.split(" ")[0] === e.name);
      if (entry === undefined) throw new Error(`no entry for ${p08.describe(value)}`);
      expect([value.prefix, value.escapes.length]).toEqual([null, 1]);
      expect(entry.modes).toContain(value.mode);
      expect(migrationOf(value)).toContain(entry.short ?? entry.sql);
      expect(p08.breaks(value, ctx)).toMatch(new RegExp(`^(R4|${entry.rule}): `));
    }
  });

  it("entries that would wait for the lane's deadline are drawn bounded; the others as written", () => {
    const waits = LANE_SESSION_ESCAPES.filter((e) => e.short !== undefined).map((e) => e.name);
    expect(waits.sort()).toEqual(["every-timeout-off-then-loop", "statement-timeout-off-then-sleep"]);
    for (const entry of LANE_SESSION_ESCAPES) {
      const [stmt] = laneSessionEscape(entry).stmts;
      expect(stmt).toEqual({ raw: entry.short ?? entry.sql });
    }
  });
});

/** A value as P08 draws it, for one entry and mode, in a style the grammar could draw. */
function valueFor(entry: (typeof LANE_SESSION_ESCAPES)[number], mode: RollbackValue["mode"], i: number) {
  const value: RollbackValue = {
    entropy: i,
    mode,
    prefix: null,
    placement: "end",
    escapes: [laneSessionEscape(entry)],
    style: { casing: "random", caseSeed: i + 1, gaps: [], lead: i % 5, separator: 0 },
    size: "within",
  };
  return value;
}

const CASES = LANE_SESSION_ESCAPES.flatMap((entry, i) =>
  entry.modes.map((mode) => [entry.name, mode, valueFor(entry, mode, i)] as const),
);

interface Clone {
  readonly config: LaneConfig;
  digest(): Promise<DatabaseDigest>;
}

function referenceLaneAnswers(engine: string, clone: () => Clone): void {
  const costs: string[] = [];
  afterAll(() => {
    console.log(`lane-session entries on ${engine}, ms per rehearsal:\n${costs.join("\n")}`);
  });
  it.each(CASES)(
    `${engine}: %s (%s) is answered fail-closed, the clone equal to before`,
    async (name, mode, value) => {
      const before = await clone().digest();
      const started = performance.now();
      const answer = await rehearseOnce(clone().config, rehearsalRequest(migrationOf(value), mode));
      costs.push(
        `${name} ${mode}: ${Math.round(performance.now() - started)} ${answer.result.verdict} ${answer.result.reasons.join(",")}`,
      );
      expect(answer.result.verdict, answer.result.reasons.join(",")).not.toBe("PASS");
      expect((await clone().digest()).digest).toBe(before.digest);
    },
    120_000,
  );
}

describe("the reference lane on PGlite", () => {
  let root: Awaited<ReturnType<typeof tempRoot>>;
  let clone: Clone;
  beforeAll(async () => {
    root = await tempRoot("fc-p08-session-");
    const dir = await makePgliteClone(join(root.dir, "clone"), { setupSql: CLONE_SETUP_SQL });
    const { config } = await writeLaneConfig(
      join(root.dir, "lane.json"),
      pgliteLaneConfig(dir, join(root.dir, "evidence"), { statement_timeout_ms: 10_000 }),
    );
    clone = { config, digest: () => digestPgliteDir(dir) };
  }, 120_000);
  afterAll(async () => {
    await root?.remove();
  });
  referenceLaneAnswers("PGlite", () => clone);
});

describe.skipIf(!hasRealServer())("the reference lane on PostgreSQL 15", () => {
  let root: Awaited<ReturnType<typeof tempRoot>>;
  let role: Awaited<ReturnType<typeof createLaneRole>>;
  let clone: Clone;
  beforeAll(async () => {
    root = await tempRoot("fc-p08-session-real-");
    role = await createLaneRole();
    const real = await createRealClone(role, { setupSql: CLONE_SETUP_SQL });
    const { config } = await writeLaneConfig(
      join(root.dir, "lane.json"),
      realLaneConfig(real.url, join(root.dir, "evidence"), { statement_timeout_ms: 10_000 }),
    );
    clone = { config, digest: () => digestUrl(real.url) };
  }, 120_000);
  afterAll(async () => {
    await role?.drop();
    await root?.remove();
  });
  referenceLaneAnswers("PostgreSQL 15", () => clone);
});
