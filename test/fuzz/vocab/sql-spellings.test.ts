/**
 * P08 at volume (issue #15): in the ~1,000 probes of a default run every spelling a naive
 * classifier misses, and the no-op class, shows up often enough; every migration P08 generates is
 * real PostgreSQL 15 syntax (libpg-query) unless it is a psql meta-command, which is labelled as
 * not SQL by its class; and the lexer facts the grammar relies on hold.
 */
import fc from "fast-check";
import { parse } from "libpg-query";
import { beforeAll, describe, expect, it } from "vitest";
import { family as p08 } from "../../../probes/p08-rollback-escape.js";
import { migrationOf, type FamilyContext, type RollbackValue } from "../../../src/index.js";
import { SPELLING_CLASSES, spellingsOf } from "../../../src/fuzz/vocab/sql/spellings.js";
import { GAPS, LEADS, SEPARATORS } from "../../../src/fuzz/vocab/sql/style.js";
import type { SpellingClass } from "../../../src/fuzz/vocab/sql/words.js";
import { vocabContext } from "./support.js";

/** The probes of a default run, as the lead sizes it once the rehearsal is fast. */
const RUN = 1_000;
const SEED = 15;
/** At least 2 % of a run's probes for every spelling class and for the no-op class. */
const FLOOR = RUN * 0.02;

let ctx: FamilyContext;
let values: RollbackValue[];
beforeAll(async () => {
  ctx = await vocabContext("sql-spellings");
  values = fc.sample(p08.arbitrary(ctx), { numRuns: RUN, seed: SEED });
});

/** Does PostgreSQL 15's parser take the text? */
async function parses(sql: string): Promise<boolean> {
  try {
    await parse(sql);
    return true;
  } catch {
    return false;
  }
}

const isNoOp = (v: RollbackValue): boolean => v.escapes.some((e) => e.cls === "no_op");
const isMeta = (v: RollbackValue): boolean => v.escapes.some((e) => e.cls === "meta_command");

describe("P08 at volume: classes over a fixed seed of 1,000 probes", () => {
  it("every spelling class and the no-op class reach 2 % of the probes", () => {
    const counts = new Map<SpellingClass | "no-op", number>();
    for (const value of values) {
      for (const s of spellingsOf(value)) counts.set(s, (counts.get(s) ?? 0) + 1);
      if (isNoOp(value)) counts.set("no-op", (counts.get("no-op") ?? 0) + 1);
    }
    const shares = Object.fromEntries(
      [...SPELLING_CLASSES, "no-op"].map((c) => [c, counts.get(c as never) ?? 0]),
    );
    const rare = Object.entries(shares).filter(([, n]) => n < FLOOR);
    expect(rare, JSON.stringify(shares)).toEqual([]);
  });

  it("the escaping statement comes first, between others and last", () => {
    const placements = new Set(values.filter((v) => v.prefix !== null).map((v) => v.placement));
    expect([...placements].sort()).toEqual(["after-create", "end", "start"]);
  });
});

describe("every generated migration is PostgreSQL 15 syntax, or labelled as not SQL", () => {
  it("libpg-query parses each of 1,000 sampled migrations but those holding a psql meta-command", async () => {
    const wrong: string[] = [];
    for (const value of values) {
      // R4's size edges pad a migration with a comment past 1 MiB: parsing it says nothing new.
      if (value.size === "migration over 1 MiB" || value.size === "request over 1 MiB + 64 KiB") continue;
      const ok = await parses(migrationOf(value));
      if (ok === isMeta(value)) wrong.push(`${ok ? "parses" : "does not parse"}: ${p08.describe(value)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("the lexer facts the spellings rely on (must fire and must stay quiet)", () => {
  it("a vertical tab is not whitespace to PostgreSQL 15, a form feed is; no gap, lead or separator holds one", async () => {
    expect(await parses("SELECT\v1")).toBe(false);
    expect(await parses("SELECT\f1")).toBe(true);
    expect([...GAPS, ...LEADS, ...SEPARATORS].filter((s) => s.includes("\v"))).toEqual([]);
  });

  it("nested comments nest; a semicolon inside a string, an identifier or a comment splits nothing", async () => {
    const count = async (sql: string): Promise<number> =>
      ((await parse(sql)) as { stmts: unknown[] }).stmts.length;
    expect(await count("SELECT 1 /* a /* b */ ; */ ; SELECT 2")).toBe(2);
    expect(await count("SELECT 1 AS \"a;b\", ';', $$;$$, E'\\';', U&'\\003b'")).toBe(1);
    expect(await count("SELECT '\\'; SELECT 2")).toBe(2);
    expect(await parses("SELECT 1 /* a /* b */")).toBe(false);
  });

  it("a Unicode-escaped name is the plain name to the parser", async () => {
    const tree = JSON.stringify(await parse("SELECT U&\"!0070g_read_file\" UESCAPE '!' ('x')"));
    expect(tree).toContain('"sval":"pg_read_file"');
  });
});
