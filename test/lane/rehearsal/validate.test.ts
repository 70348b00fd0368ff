/**
 * The hardened validator (C6) as a pure function: for every reason, one observation that must make
 * it fire and one that must keep it quiet, and a property over generated observations: PASS
 * exactly when before == after_rollback (every section, and the cluster when it is compared),
 * after_apply != before, every digest is well formed and no flag is raised.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LANE_REASONS, type LaneReason } from "../../../src/lane/codec/documents.js";
import {
  CLUSTER_DIGEST_FORMAT,
  DIGEST_FORMAT,
  type DatabaseDigest,
} from "../../../src/lane/rehearsal/digest/digest.js";
import { validateRehearsal, type RehearsalObservation } from "../../../src/lane/rehearsal/validate.js";

type Sections = Readonly<Record<string, string>>;

function hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A whole-text digest that follows its sections, as the real one does. */
function scopeHash(format: string, sections: Sections): string {
  const names = Object.keys(sections).sort();
  return hex(`${format}\n${names.map((name) => `${name}=${sections[name]}`).join("\n")}`);
}

function makeDigest(sections: Sections, cluster: Sections = CLUSTER): DatabaseDigest {
  const counts = (s: Sections) => Object.fromEntries(Object.keys(s).map((name) => [name, 1]));
  return {
    format: DIGEST_FORMAT,
    digest: scopeHash(DIGEST_FORMAT, sections),
    sections,
    counts: counts(sections),
    totals: { tables: 1, rows: 2, sequences: 1 },
    cluster: {
      format: CLUSTER_DIGEST_FORMAT,
      digest: scopeHash(CLUSTER_DIGEST_FORMAT, cluster),
      sections: cluster,
      counts: counts(cluster),
    },
  };
}

const CLUSTER: Sections = { "cluster:databases": hex("postgres"), "cluster:roles": hex("lane") };
const BEFORE_SECTIONS: Sections = {
  database: hex("database"),
  "schema:tables": hex("accounts"),
  "sequence:public.ticket_seq": hex("100 true"),
  "table:public.accounts": hex("1 alpha\n2 beta"),
};
const BEFORE = makeDigest(BEFORE_SECTIONS);
/** The migration added a table and its rows. */
const APPLIED = makeDigest({
  ...BEFORE_SECTIONS,
  "schema:tables": hex("accounts orders"),
  "table:public.orders": hex("1 first"),
});

/** A clean rehearsal; each case below changes one thing about it. */
function clean(overrides: Partial<RehearsalObservation> = {}): RehearsalObservation {
  return {
    before: BEFORE,
    afterApply: APPLIED,
    afterRollback: makeDigest(BEFORE_SECTIONS),
    digestFailed: false,
    serverError: false,
    escaped: false,
    restoreFailed: false,
    compareCluster: true,
    ...overrides,
  };
}

function withSections(base: DatabaseDigest, changes: Sections): DatabaseDigest {
  return makeDigest({ ...base.sections, ...changes }, base.cluster.sections);
}

describe("validateRehearsal: PASS only when every condition holds", () => {
  it("passes a clean observation with no reason", () => {
    expect(validateRehearsal(clean())).toEqual({ verdict: "PASS", reasons: [] });
  });

  it("passes with the cluster left out of the comparison as well", () => {
    expect(validateRehearsal(clean({ compareCluster: false }))).toEqual({ verdict: "PASS", reasons: [] });
  });
});

describe("validateRehearsal: each reason fires and stays quiet", () => {
  describe("no_change", () => {
    it("fires when after_apply equals before", () => {
      expect(validateRehearsal(clean({ afterApply: makeDigest(BEFORE_SECTIONS) }))).toEqual({
        verdict: "FAIL",
        reasons: ["no_change"],
      });
    });
    it("fires on a change of the cluster alone: only the database's own digest counts as a change", () => {
      const clusterOnly = makeDigest(BEFORE_SECTIONS, { ...CLUSTER, "cluster:roles": hex("lane intruder") });
      expect(validateRehearsal(clean({ afterApply: clusterOnly, compareCluster: false }))).toEqual({
        verdict: "FAIL",
        reasons: ["no_change"],
      });
    });
    it("stays quiet when a single section changed", () => {
      const oneRow = withSections(BEFORE, { "table:public.accounts": hex("1 alpha\n2 beta\n3 gamma") });
      expect(validateRehearsal(clean({ afterApply: oneRow }))).toEqual({ verdict: "PASS", reasons: [] });
    });
  });

  describe("not_restored", () => {
    it("fires when a table's rows differ after the rollback", () => {
      const left = withSections(BEFORE, { "table:public.accounts": hex("1 alpha") });
      expect(validateRehearsal(clean({ afterRollback: left }))).toEqual({
        verdict: "FAIL",
        reasons: ["not_restored"],
      });
    });
    it("fires when the schema differs after the rollback", () => {
      const left = withSections(BEFORE, { "schema:tables": hex("accounts orders") });
      expect(validateRehearsal(clean({ afterRollback: left }))).toEqual({
        verdict: "FAIL",
        reasons: ["not_restored"],
      });
    });
    it("fires when the whole digest differs although no section does (fails closed)", () => {
      const odd: DatabaseDigest = { ...makeDigest(BEFORE_SECTIONS), digest: hex("something else") };
      expect(validateRehearsal(clean({ afterRollback: odd }))).toEqual({
        verdict: "FAIL",
        reasons: ["not_restored"],
      });
    });
    it("fires when a section disappeared after the rollback", () => {
      const { "table:public.accounts": _gone, ...rest } = BEFORE_SECTIONS;
      expect(validateRehearsal(clean({ afterRollback: makeDigest(rest) }))).toEqual({
        verdict: "FAIL",
        reasons: ["not_restored"],
      });
    });
    it("stays quiet when after_rollback equals before", () => {
      expect(validateRehearsal(clean({ afterRollback: makeDigest({ ...BEFORE_SECTIONS }) })).reasons).toEqual(
        [],
      );
    });
  });

  describe("sequence_drift", () => {
    const drifted = withSections(BEFORE, { "sequence:public.ticket_seq": hex("500 true") });
    it("fires alone when only a sequence did not roll back", () => {
      expect(validateRehearsal(clean({ afterRollback: drifted }))).toEqual({
        verdict: "FAIL",
        reasons: ["sequence_drift"],
      });
    });
    it("fires beside not_restored when a table did not roll back either", () => {
      const both = withSections(drifted, { "table:public.accounts": hex("1 alpha") });
      expect(validateRehearsal(clean({ afterRollback: both }))).toEqual({
        verdict: "FAIL",
        reasons: ["sequence_drift", "not_restored"],
      });
    });
    it("stays quiet when the migration moved a sequence and the rollback put it back", () => {
      const moved = withSections(APPLIED, { "sequence:public.ticket_seq": hex("500 true") });
      expect(validateRehearsal(clean({ afterApply: moved }))).toEqual({ verdict: "PASS", reasons: [] });
    });
  });

  describe("escape_detected", () => {
    const otherCluster = makeDigest(BEFORE_SECTIONS, { ...CLUSTER, "cluster:roles": hex("lane intruder") });
    it("fires when the transaction id moved while the migration ran", () => {
      expect(validateRehearsal(clean({ escaped: true }))).toEqual({
        verdict: "FAIL",
        reasons: ["escape_detected"],
      });
    });
    it("fires when the cluster differs after the rollback and the cluster is compared", () => {
      expect(validateRehearsal(clean({ afterRollback: otherCluster }))).toEqual({
        verdict: "FAIL",
        reasons: ["escape_detected"],
      });
    });
    it("is reported once when both signs of an escape are seen", () => {
      expect(validateRehearsal(clean({ afterRollback: otherCluster, escaped: true }))).toEqual({
        verdict: "FAIL",
        reasons: ["escape_detected"],
      });
    });
    it("stays quiet about a cluster change when the cluster is not compared (shared server)", () => {
      expect(validateRehearsal(clean({ afterRollback: otherCluster, compareCluster: false }))).toEqual({
        verdict: "PASS",
        reasons: [],
      });
    });
    it("stays quiet when the cluster changed only while applying and came back", () => {
      const applied = makeDigest(APPLIED.sections, otherCluster.cluster.sections);
      expect(validateRehearsal(clean({ afterApply: applied }))).toEqual({ verdict: "PASS", reasons: [] });
    });
    it("still fires on a moved transaction id when the cluster is not compared", () => {
      expect(validateRehearsal(clean({ escaped: true, compareCluster: false }))).toEqual({
        verdict: "FAIL",
        reasons: ["escape_detected"],
      });
    });
  });

  describe("server_error", () => {
    it("fires on a server error, without after_apply (transactional stops there)", () => {
      expect(validateRehearsal(clean({ serverError: true, afterApply: undefined }))).toEqual({
        verdict: "FAIL",
        reasons: ["server_error"],
      });
    });
    it("fires beside no_change when after_apply was taken after the failed apply (snapshot_restore)", () => {
      expect(
        validateRehearsal(clean({ serverError: true, afterApply: makeDigest(BEFORE_SECTIONS) })),
      ).toEqual({
        verdict: "FAIL",
        reasons: ["server_error", "no_change"],
      });
    });
    it("stays quiet without a server error", () => {
      expect(validateRehearsal(clean({ serverError: false })).reasons).not.toContain("server_error");
    });
  });

  describe("digest_incomplete", () => {
    it("fires when a digest failed", () => {
      expect(validateRehearsal(clean({ digestFailed: true }))).toEqual({
        verdict: "FAIL",
        reasons: ["digest_incomplete"],
      });
    });
    it.each([
      ["before", { before: undefined }],
      ["after_apply", { afterApply: undefined }],
      ["after_rollback", { afterRollback: undefined }],
    ] as const)("fires when %s is missing and nothing else explains it", (_name, missing) => {
      expect(validateRehearsal(clean(missing))).toEqual({ verdict: "FAIL", reasons: ["digest_incomplete"] });
    });
    it("fires when a digest is not 64 lowercase hex", () => {
      const upper: DatabaseDigest = { ...APPLIED, digest: APPLIED.digest.toUpperCase() };
      expect(validateRehearsal(clean({ afterApply: upper }))).toEqual({
        verdict: "FAIL",
        reasons: ["digest_incomplete"],
      });
    });
    it("fires when a cluster digest is malformed, even though the clone's own digest is equal", () => {
      const broken: DatabaseDigest = {
        ...makeDigest(BEFORE_SECTIONS),
        cluster: { ...BEFORE.cluster, digest: "" },
      };
      expect(validateRehearsal(clean({ afterRollback: broken }))).toEqual({
        verdict: "FAIL",
        reasons: ["digest_incomplete"],
      });
    });
    it("is not added beside another reason that already explains a missing digest", () => {
      expect(validateRehearsal(clean({ restoreFailed: true, afterRollback: undefined }))).toEqual({
        verdict: "FAIL",
        reasons: ["restore_failed"],
      });
    });
    it("stays quiet when every digest is present and well formed", () => {
      expect(validateRehearsal(clean()).reasons).not.toContain("digest_incomplete");
    });
  });

  describe("restore_failed", () => {
    it("fires when snapshot or restore failed", () => {
      expect(validateRehearsal(clean({ restoreFailed: true }))).toEqual({
        verdict: "FAIL",
        reasons: ["restore_failed"],
      });
    });
    it("stays quiet when the restore worked", () => {
      expect(validateRehearsal(clean({ restoreFailed: false })).reasons).not.toContain("restore_failed");
    });
  });

  it("reports every failing condition, in a fixed order, each once", () => {
    const drifted = withSections(BEFORE, { "sequence:public.ticket_seq": hex("7 true") });
    const observation = clean({
      serverError: true,
      restoreFailed: true,
      escaped: true,
      digestFailed: true,
      afterApply: makeDigest(BEFORE_SECTIONS),
      afterRollback: makeDigest(drifted.sections, { "cluster:roles": hex("other") }),
    });
    expect(validateRehearsal(observation)).toEqual({
      verdict: "FAIL",
      reasons: [
        "server_error",
        "restore_failed",
        "escape_detected",
        "digest_incomplete",
        "sequence_drift",
        "no_change",
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

const SECTION_NAMES = [
  "database",
  "roles",
  "schema:tables",
  "schema:functions",
  "sequence:public.a_seq",
  "sequence:public.b_seq",
  "table:public.accounts",
  "table:public.orders",
] as const;
const CLUSTER_NAMES = ["cluster:databases", "cluster:roles", "cluster:memberships"] as const;

/** Section values from a small alphabet, so equal sections come up often. */
const sectionsArb = (names: readonly string[]) =>
  fc
    .array(fc.tuple(fc.constantFrom(...names), fc.integer({ min: 0, max: 2 })), { maxLength: names.length })
    .map((entries) => Object.fromEntries(entries.map(([name, value]) => [name, hex(`${name}:${value}`)])));

/** A digest derived from `base`: kept, or with sections changed, or malformed, or missing. */
type Variant =
  | { kind: "same" }
  | { kind: "changed"; sections: Sections; cluster: Sections }
  | { kind: "malformed" }
  | { kind: "missing" };

const variantArb: fc.Arbitrary<Variant> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: "same" } as const) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("changed" as const),
      sections: sectionsArb(SECTION_NAMES),
      cluster: sectionsArb(CLUSTER_NAMES),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "malformed" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "missing" } as const) },
);

function derive(base: DatabaseDigest, variant: Variant): DatabaseDigest | undefined {
  switch (variant.kind) {
    case "same":
      return makeDigest({ ...base.sections }, { ...base.cluster.sections });
    case "changed":
      return makeDigest(
        { ...base.sections, ...variant.sections },
        { ...base.cluster.sections, ...variant.cluster },
      );
    case "malformed":
      return { ...base, digest: base.digest.slice(1) };
    case "missing":
      return undefined;
  }
}

const wellFormed = (d: DatabaseDigest | undefined): d is DatabaseDigest =>
  d !== undefined && /^[0-9a-f]{64}$/.test(d.digest) && /^[0-9a-f]{64}$/.test(d.cluster.digest);

const observationArb = fc
  .record({
    sections: sectionsArb(SECTION_NAMES),
    cluster: sectionsArb(CLUSTER_NAMES),
    apply: variantArb,
    rollback: variantArb,
    digestFailed: fc.boolean(),
    serverError: fc.boolean(),
    escaped: fc.boolean(),
    restoreFailed: fc.boolean(),
    compareCluster: fc.boolean(),
    flagsOff: fc.boolean(),
  })
  .map((g): RehearsalObservation => {
    const before = makeDigest(g.sections, g.cluster);
    // Half of the cases have no flag at all, so PASS is common enough to be tested.
    const flag = (b: boolean) => !g.flagsOff && b;
    return {
      before,
      afterApply: derive(before, g.apply),
      afterRollback: derive(before, g.rollback),
      digestFailed: flag(g.digestFailed),
      serverError: flag(g.serverError),
      escaped: flag(g.escaped),
      restoreFailed: flag(g.restoreFailed),
      compareCluster: g.compareCluster,
    };
  });

describe("validateRehearsal: property", () => {
  it("PASS iff before == after_rollback (sections, and cluster when compared), after_apply != before, no flag", () => {
    let passes = 0;
    fc.assert(
      fc.property(observationArb, (o) => {
        const { before, afterApply, afterRollback } = o;
        const expected =
          wellFormed(before) &&
          wellFormed(afterApply) &&
          wellFormed(afterRollback) &&
          !o.digestFailed &&
          !o.serverError &&
          !o.escaped &&
          !o.restoreFailed &&
          afterApply.digest !== before.digest &&
          afterRollback.digest === before.digest &&
          JSON.stringify(afterRollback.sections) === JSON.stringify(before.sections) &&
          (!o.compareCluster || afterRollback.cluster.digest === before.cluster.digest);
        const v = validateRehearsal(o);
        if (v.verdict === "PASS") passes += 1;
        expect(v.verdict).toBe(expected ? "PASS" : "FAIL");
        // A FAIL always says why, each reason once, from the fixed vocabulary.
        if (v.verdict === "FAIL") {
          expect(v.reasons.length).toBeGreaterThan(0);
          expect(new Set(v.reasons).size).toBe(v.reasons.length);
          for (const r of v.reasons) expect(LANE_REASONS).toContain(r satisfies LaneReason);
        } else {
          expect(v.reasons).toEqual([]);
        }
      }),
      { numRuns: 2000, seed: 20260612 },
    );
    // The generator must reach both sides of the iff, or the property says little.
    expect(passes).toBeGreaterThan(50);
  });

  it("never passes when any flag is raised, whatever the digests", () => {
    fc.assert(
      fc.property(
        observationArb,
        fc.constantFrom("digestFailed", "serverError", "escaped", "restoreFailed"),
        (o, flag) => {
          const v = validateRehearsal({ ...o, [flag]: true });
          expect(v.verdict).toBe("FAIL");
        },
      ),
      { numRuns: 500, seed: 612 },
    );
  });
});
