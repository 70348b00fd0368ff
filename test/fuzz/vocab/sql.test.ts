/**
 * P08's grammar: it keeps producing every spelling, no-op and size edge (a grammar that stopped
 * would quietly stop testing it), the size edges sit exactly one byte past R4's limits, decoys keep
 * an escape's class, and PostgreSQL's own parser (the reference classifier) still sees each escape
 * for what it is through every spelling, while a disguised no-op stays a no-op.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { family as p08 } from "../../../probes/p08-rollback-escape.js";
import {
  DISGUISES,
  ESCAPE_CLASSES,
  disguise,
  migrationOf,
  padMigration,
  padRequest,
  renderRollback,
  rollbackBreaks,
  type Escape,
  type FamilyContext,
  type RollbackValue,
} from "../../../src/index.js";
import { classifyMigration } from "../../../src/lane/rehearsal/classify/classify.js";
import { LEADS, SEPARATORS } from "../../../src/fuzz/vocab/sql/style.js";
import { vocabContext } from "./support.js";

let ctx: FamilyContext;
let values: RollbackValue[];
beforeAll(async () => {
  ctx = await vocabContext();
  values = fc.sample(p08.arbitrary(ctx), { numRuns: 600, seed: 31 });
});

describe("P08's grammar", () => {
  it("produces every escape class, every lead, separator and decoy, spelled escapes, no-ops and every size", () => {
    const classes = new Set(values.flatMap((v) => v.escapes.map((e) => e.cls)));
    expect([...classes].sort()).toEqual(Object.keys(ESCAPE_CLASSES).sort());
    expect(new Set(values.map((v) => v.style.lead)).size).toBe(LEADS.length);
    expect(new Set(values.map((v) => v.style.separator)).size).toBe(SEPARATORS.length);
    const whats = values.flatMap((v) => v.escapes.map((e) => e.what));
    for (const [decoy] of DISGUISES)
      expect(
        whats.some((w) => w.endsWith(`between ${decoy}`)),
        decoy,
      ).toBe(true);
    expect(whats.some((w) => w.startsWith("quoted "))).toBe(true);
    expect(whats.some((w) => w.includes("E'' "))).toBe(true);
    expect([...new Set(values.map((v) => v.size))].sort()).toEqual([
      "migration over 1 MiB",
      "padded past 4,096",
      "request over 1 MiB + 64 KiB",
      "within",
    ]);
  });

  it("a no-op stands alone: no clean prefix, no other escape", () => {
    const noOps = values.filter((v) => v.escapes.some((e) => e.cls === "no_op"));
    expect(noOps.length).toBeGreaterThan(10);
    for (const v of noOps) expect([v.prefix, v.escapes.length]).toEqual([null, 1]);
  });

  it("puts the size edges one byte past R4's limits, and names R4 first for them", async () => {
    for (const v of values.filter((x) => x.size !== "within").slice(0, 12)) {
      const migration = Buffer.byteLength(migrationOf(v));
      const request = (await renderRollback(v, ctx)).length;
      switch (v.size) {
        case "padded past 4,096":
          expect(migration).toBeGreaterThan(4_096);
          expect(rollbackBreaks(v)).not.toMatch(/^R4/);
          break;
        case "migration over 1 MiB":
          expect(migration).toBe(1_048_577);
          expect(rollbackBreaks(v)).toMatch(/^R4: /);
          break;
        case "request over 1 MiB + 64 KiB":
          expect([migration, request]).toEqual([1_048_576, 1_114_113]);
          expect(rollbackBreaks(v)).toMatch(/^R4: /);
          break;
        case "within":
          break;
      }
    }
    expect(padMigration("SELECT 1;", "within")).toBe("SELECT 1;");
    expect(padRequest(Buffer.from("{}"), "within")).toEqual(Buffer.from("{}"));
  });
});

describe("decoys and spellings against PostgreSQL's parser", () => {
  const vacuum: Escape = { cls: "non_transactional", what: "VACUUM", stmts: [{ words: ["VACUUM"] }] };
  const selectOne: Escape = { cls: "no_op", what: "SELECT 1", stmts: [{ words: ["SELECT", "1"] }] };
  const style = { casing: "upper", caseSeed: 1, gaps: [], lead: 0, separator: 0 } as const;
  const alone = (escape: Escape): RollbackValue => ({
    entropy: 1,
    mode: "transactional",
    prefix: null,
    placement: "end",
    escapes: [escape],
    style,
    size: "within",
  });

  it.each(DISGUISES.map((d, i) => [d[0], i] as const))(
    "between %s, VACUUM is still refused (fires)",
    async (_, i) => {
      const disguised = disguise(vacuum, i);
      expect(disguised.cls).toBe("non_transactional");
      const result = await classifyMigration(migrationOf(alone(disguised)));
      expect(result.ok ? "accepted" : result.error.code).toBe("non_transactional");
    },
  );

  it.each(DISGUISES.map((d, i) => [d[0], i] as const))(
    "between %s, SELECT 1 still parses and passes (quiet)",
    async (_, i) => {
      const result = await classifyMigration(migrationOf(alone(disguise(selectOne, i))));
      expect(result.ok).toBe(true);
    },
  );

  it("a meta-command is never disguised: it must stay on its own line", () => {
    const meta: Escape = { cls: "meta_command", what: "\\! shell", stmts: [{ meta: "\\! id" }] };
    expect(disguise(meta, 0)).toBe(meta);
  });

  it("every lead and separator keeps VACUUM refused and SELECT 1 accepted", async () => {
    for (const lead of LEADS.keys()) {
      for (const separator of SEPARATORS.keys()) {
        const styled = (e: Escape): RollbackValue => ({ ...alone(e), style: { ...style, lead, separator } });
        const refused = await classifyMigration(migrationOf(styled(vacuum)));
        expect(refused.ok ? "accepted" : refused.error.code, `${lead}/${separator}`).toBe(
          "non_transactional",
        );
        expect((await classifyMigration(migrationOf(styled(selectOne)))).ok, `${lead}/${separator}`).toBe(
          true,
        );
      }
    }
  });
});
