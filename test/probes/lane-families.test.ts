/**
 * The lane attack families P08 (rollback-escape), P09 (evidence-tamper) and P10 (token-leak):
 * their contract (every generated and shrunk value breaks a named rule, rendering is deterministic,
 * no key material is ever rendered), and the reference system refusing them: P09 and P10 against a
 * gate in process, P08 against a rehearsal lane on a seeded PGlite clone. Each probe must also be
 * refused for its own flaw (exact reasons), so a probe broken in some other way, which any gate
 * would refuse, cannot pass here unnoticed.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p08 } from "../../probes/p08-rollback-escape.js";
import { migrationOf, PREEXISTING_SEQUENCE, type RollbackValue as P08Value } from "../../src/index.js";
import { family as p09, type EvidenceFlaw } from "../../probes/p09-evidence-tamper.js";
import { family as p10, type LeakFlaw } from "../../probes/p10-token-leak.js";
import { labelledEncodings } from "../../src/fuzz/canary/encodings.js";
import { canariesFromJwks } from "../../src/fuzz/canary/extract.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "../../src/fuzz/keyring/under-test.js";
import { findJwsTokens } from "../../src/fuzz/oracles/tokens.js";
import { SEED_SQL } from "../../src/fuzz/targets/reference-clone.js";
import type { FamilyContext, ProbeFamily } from "../../src/fuzz/types.js";
import { authorizedParts, authorizedRequest, renderMutated } from "../../src/index.js";
import { GATE_REASONS, type GateReason } from "../../src/lane/codec/documents.js";
import { openPglite } from "../../src/lane/db/pglite.js";
import { fixedClock } from "../../src/kernel/clock.js";
import { createGate, type Gate } from "../../src/lane/gate/gate.js";
import { openLedger } from "../../src/lane/gate/ledger/ledger.js";
import type { Ledger } from "../../src/lane/gate/ledger/types.js";
import { classifyMigration, type ClassifierRefusalCode } from "../../src/lane/rehearsal/classify/classify.js";
import type { Lane } from "../../src/lane/rehearsal/lane.js";
import { openReferenceLane, type OpenedReferenceLane } from "../support/reference-lane.js";
import { familyContext } from "../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../src/fuzz/engine/seed-corpus.js";

const SALT = "test-salt";
const NOW = Date.UTC(2026, 5, 12, 12, 0, 0) / 1000;
const SEED = 20_260_612;
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

let kut: KeyringUnderTest;
let ctx: FamilyContext;
let secretForms: string[];

beforeAll(async () => {
  kut = await deriveKeyringUnderTest(SALT);
  ctx = familyContext(kut, NOW, SALT, await loadSeedCorpus());
  secretForms = canariesFromJwks(kut.jwkSets).flatMap((secret) =>
    labelledEncodings(secret).map((f) => f.text),
  );
});

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("latin1");

/**
 * Values fast-check tries while shrinking a counterexample: the property fails on every fifth value
 * it sees and holds on the others, so the shrinker both walks down and tries the siblings at each
 * step, rather than following the first candidate only.
 */
function shrinkCandidates<S>(arbitrary: fc.Arbitrary<S>, seed: number): S[] {
  const seen: S[] = [];
  fc.check(
    fc.property(arbitrary, (value) => {
      seen.push(value);
      return seen.length % 5 !== 1;
    }),
    { seed, numRuns: 1 },
  );
  return seen;
}

// -----------------------------------------------------------------------------------------------
// Contract: the same three checks for every family.

describe.each([
  ["P08", p08 as ProbeFamily<unknown>],
  ["P09", p09 as ProbeFamily<unknown>],
  ["P10", p10 as ProbeFamily<unknown>],
])("%s contract", (id, family) => {
  it("declares itself as an attack family with its minimum runs", () => {
    expect(family.id).toBe(id);
    expect(family.role).toBe("attack");
    expect(family.minRuns).toBe(id === "P08" ? 150 : 1_000);
    expect(family.operation).toBe(id === "P08" ? "rehearse" : "decide");
  });

  it("every sampled value breaks a named rule, renders to the same bytes twice and carries no key material", async () => {
    const values = fc.sample(family.arbitrary(ctx), { seed: SEED, numRuns: 100 });
    for (const value of values) {
      const rule = family.breaks(value, ctx);
      expect(rule, family.describe(value)).toMatch(/^[A-Z][0-9]+: \S/);
      expect(family.describe(value).length).toBeGreaterThan(0);
      const first = await family.render(value, ctx);
      const second = await family.render(value, ctx);
      expect(Buffer.compare(Buffer.from(first), Buffer.from(second)), family.describe(value)).toBe(0);
      const text = latin1(first);
      const leaked = secretForms.filter((form) => text.includes(form));
      expect(leaked, family.describe(value)).toEqual([]);
    }
  });

  it("every value tried while shrinking still breaks a named rule", () => {
    const candidates = Array.from({ length: 10 }, (_, i) =>
      shrinkCandidates(family.arbitrary(ctx), SEED + i),
    ).flat();
    // Entropy never shrinks (it keeps nonces fresh), so the candidates come from the flaws alone.
    expect(candidates.length).toBeGreaterThan(20);
    const valid = candidates
      .filter((value) => family.breaks(value, ctx) === undefined)
      .map((value) => family.describe(value));
    expect(valid).toEqual([]);
  });
});

// -----------------------------------------------------------------------------------------------
// P08 against PostgreSQL 15's parser: every escape is refused for what it claims to be.

/** The classifier's code for an escape class; plpgsql bodies are judged by their words instead. */
function expectedCode(escape: P08Value["escapes"][number]): ClassifierRefusalCode | "accepted" {
  // A comment-only no-op holds no statement: the classifier refuses it as empty.
  if (escape.cls === "no_op") return escape.what === "a comment only" ? "empty" : "accepted";
  if (escape.cls === "sequence") return "accepted";
  // Judged by the lane's answer, not by a classifier code: test/fuzz/vocab/lane-session.test.ts.
  if (escape.cls === "lane_session") throw new Error("a lane-session escape has no classifier code");
  if (escape.what.includes("in a trigger function")) return "opaque_code";
  return escape.cls === "meta_command" ? "unparseable" : escape.cls;
}

describe("P08 grammar against the reference classifier", () => {
  it("the sequence it attacks is the reference clone's pre-existing one", () => {
    expect(SEED_SQL).toContain(`CREATE SEQUENCE ${PREEXISTING_SEQUENCE} START 100;`);
  });

  it("refuses each sampled migration with the code of its first escape; sequence escapes alone parse and pass the classifier", async () => {
    const values = fc.sample(p08.arbitrary(ctx), { seed: SEED, numRuns: 300 });
    const classes = new Set<string>();
    for (const value of values) {
      if (value.escapes.some((e) => e.cls === "lane_session")) {
        classes.add("lane_session");
        continue;
      }
      // A meta-command is not SQL: the whole text fails to parse before any statement is judged.
      const first =
        value.size === "migration over 1 MiB"
          ? "too_large"
          : value.escapes.some((e) => e.cls === "meta_command")
            ? "unparseable"
            : (value.escapes.map(expectedCode).find((code) => code !== "accepted") ?? "accepted");
      const result = await classifyMigration(migrationOf(value));
      const got = result.ok ? "accepted" : result.error.code;
      expect(got, `${p08.describe(value)}\n${migrationOf(value)}`).toBe(first);
      for (const escape of value.escapes) classes.add(escape.cls);
    }
    // A grammar that stopped producing a class would quietly stop testing it.
    expect([...classes].sort()).toEqual([
      "cluster_wide",
      "lane_session",
      "meta_command",
      "no_op",
      "non_transactional",
      "opaque_code",
      "sequence",
      "session_state",
      "side_channel",
      "transaction_control",
    ]);
  });
});

// -----------------------------------------------------------------------------------------------
// P09 and P10 against the reference gate in process.

describe("P09 and P10 against the reference gate", () => {
  let gate: Gate;
  let ledger: Ledger;

  beforeAll(async () => {
    ledger = await openLedger(await openPglite());
    gate = createGate({ keyring: kut.keyring, ledger, clock: fixedClock(NOW) });
  });

  interface Refusal {
    readonly verdict: string;
    readonly reasons: readonly GateReason[];
    readonly request_id?: string;
  }

  /** G7: a refusal is only kind, v, verdict, reasons and a well-formed request_id it was sent. */
  function expectBareRefusal(body: Uint8Array, sent: Uint8Array, what: string): Refusal {
    expect(findJwsTokens(body), what).toEqual([]);
    const parsed = JSON.parse(Buffer.from(body).toString("utf8")) as Record<string, unknown>;
    const extra = Object.keys(parsed).filter(
      (k) => !["kind", "v", "verdict", "reasons", "request_id"].includes(k),
    );
    expect(extra, what).toEqual([]);
    expect(parsed["kind"], what).toBe("verdict");
    expect(["DENY", "HOLD"], what).toContain(parsed["verdict"]);
    const reasons = parsed["reasons"] as GateReason[];
    expect(
      reasons.filter((r) => !GATE_REASONS.includes(r)),
      what,
    ).toEqual([]);
    const requestId = parsed["request_id"];
    if (requestId !== undefined) {
      expect(requestId, what).toMatch(IDENTIFIER);
      expect(latin1(sent), what).toContain(`"request_id":${JSON.stringify(requestId)}`);
    }
    const text = latin1(body);
    expect(
      secretForms.filter((form) => text.includes(form)),
      what,
    ).toEqual([]);
    return parsed as unknown as Refusal;
  }

  /** The exact refusal each evidence flaw earns from a correct gate: the flaw, not something else. */
  function expectedP09(flaw: EvidenceFlaw): readonly GateReason[] {
    switch (flaw.kind) {
      case "verdict":
      case "tree-digit":
      case "tree-unlisted":
      case "artifact":
      case "no-op":
      case "not-restored":
      case "pass-with-reasons":
        return ["evidence_invalid"];
      case "packet-id":
        // A look-alike id fails the schema; a well-formed other id is another packet's evidence.
        return /^[A-Z0-9][A-Z0-9-]{2,63}$/.test(flaw.packetId)
          ? ["evidence_invalid"]
          : ["evidence_invalid", "schema_violation"];
      case "digest":
        return flaw.malformed === "null" ? ["evidence_invalid"] : ["evidence_invalid", "schema_violation"];
      case "scope":
      case "extra-member":
        return ["evidence_invalid", "schema_violation"];
      case "tree-uppercase":
        return flaw.where === "evidence" ? ["evidence_invalid", "schema_violation"] : ["schema_violation"];
      case "signer":
        return flaw.role === "stranger rehearsal"
          ? ["evidence_invalid", "seal_invalid"]
          : ["evidence_invalid", "wrong_role_or_type"];
      case "missing":
        return ["schema_violation"];
      case "typ-confusion":
        return ["evidence_invalid", "wrong_role_or_type"];
    }
  }

  it("P09: denies ~300 sampled evidence flaws, each for its own flaw, and consumes nothing", async () => {
    const consumedBefore = await ledger.consumedCount();
    const values = fc.sample(p09.arbitrary(ctx), { seed: SEED, numRuns: 300 });
    const allowed: string[] = [];
    const wrong: string[] = [];
    for (const value of values) {
      const bytes = await p09.render(value, ctx);
      const answer = await gate.decide(bytes);
      const what = p09.describe(value);
      if (answer.verdict.verdict === "ALLOW") {
        allowed.push(what);
        continue;
      }
      const refusal = expectBareRefusal(answer.bytes, bytes, what);
      const expected = { verdict: "DENY", reasons: expectedP09(value.flaw) };
      if (JSON.stringify({ verdict: refusal.verdict, reasons: refusal.reasons }) !== JSON.stringify(expected))
        wrong.push(`${what}: ${refusal.verdict} ${refusal.reasons.join(",")}`);
    }
    // One assertion, so a failure lists every allowed probe and every misattributed refusal at once.
    expect({ allowed, wrong }).toEqual({ allowed: [], wrong: [] });
    expect(await ledger.consumedCount()).toBe(consumedBefore);
    // Every flaw of the catalogue was fired, so none can silently stop being tested.
    expect(new Set(values.map((v) => v.flaw.kind)).size).toBe(15);
  });

  /** The exact refusal each leak attempt earns: the codec, the seal check or the evidence check. */
  function expectedP10(flaw: LeakFlaw, rule: string): readonly GateReason[] {
    const id = rule.slice(0, rule.indexOf(":"));
    const sealed = (doc: string, reason: GateReason): readonly GateReason[] =>
      doc === "evidence" ? ["evidence_invalid", reason] : [reason];
    switch (flaw.kind) {
      case "duplicate":
        return ["malformed_input"];
      case "extra":
      case "member":
        if (id === "R4") return ["malformed_input"];
        if (id === "R7" || id === "R11") return ["schema_violation"];
        // S3: a prefix corrupts the header; S4: a JWS of another type in this slot.
        return sealed(
          flaw.kind === "member" ? flaw.slot : "",
          id === "S3" ? "seal_invalid" : "wrong_role_or_type",
        );
      case "kid":
        return sealed(flaw.doc, id === "S1" ? "wrong_role_or_type" : "seal_invalid");
      case "deep":
        switch (flaw.what) {
          case "grant of 5 KB":
          case "grant of 60 KB":
          case "packet nested 40 deep":
          case "packet payload is a permit JWS":
            return ["malformed_input"];
          case "packet payload is a permit":
            return ["wrong_role_or_type"];
          case "evidence with invalid UTF-8":
            return ["evidence_invalid", "malformed_input"];
          case "evidence carrying a permit":
            return ["evidence_invalid", "schema_violation"];
        }
    }
  }

  it("P10: denies ~300 sampled leak attempts with a bare verdict that echoes nothing", async () => {
    const consumedBefore = await ledger.consumedCount();
    const values = fc.sample(p10.arbitrary(ctx), { seed: SEED, numRuns: 300 });
    const allowed: string[] = [];
    const wrong: string[] = [];
    for (const value of values) {
      const bytes = await p10.render(value, ctx);
      const answer = await gate.decide(bytes);
      const what = p10.describe(value);
      if (answer.verdict.verdict === "ALLOW") {
        allowed.push(what);
        continue;
      }
      const refusal = expectBareRefusal(answer.bytes, bytes, what);
      const expected = { verdict: "DENY", reasons: expectedP10(value.flaw, p10.breaks(value, ctx) ?? "") };
      if (JSON.stringify({ verdict: refusal.verdict, reasons: refusal.reasons }) !== JSON.stringify(expected))
        wrong.push(`${what}: ${refusal.verdict} ${refusal.reasons.join(",")}`);
    }
    expect({ allowed, wrong }).toEqual({ allowed: [], wrong: [] });
    expect(await ledger.consumedCount()).toBe(consumedBefore);
    expect([...new Set(values.map((v) => v.flaw.kind))].sort()).toEqual([
      "deep",
      "duplicate",
      "extra",
      "kid",
      "member",
    ]);
  });

  it("sanity (F5): the unmodified authorised QT001_APPLY request is allowed", async () => {
    const request = await authorizedRequest(ctx, authorizedParts(ctx, "lane-families-sanity", "QT001_APPLY"));
    const answer = await gate.decide(renderMutated(request, []));
    expect(answer.verdict.verdict).toBe("ALLOW");
    expect(answer.verdict.reasons).toEqual([]);
  });
});

// -----------------------------------------------------------------------------------------------
// P08 against the reference lane on a seeded PGlite clone.

describe("P08 against the reference rehearsal lane", () => {
  let opened: OpenedReferenceLane | undefined;
  let lane: Lane;
  let before: string;

  beforeAll(async () => {
    opened = await openReferenceLane(ctx, kut, NOW, "fc-p08-");
    lane = opened.lane;
    before = await lane.cloneDigest();
  });

  afterAll(async () => {
    await opened?.close();
  });

  /** Up to `per` values of each escape class (of the escape that decides the verdict), in sample order. */
  function coverage(values: readonly P08Value[], per: number): P08Value[] {
    const counts = new Map<string, number>();
    const picked: P08Value[] = [];
    for (const value of values) {
      if (value.size !== "within") continue;
      const deciding = value.escapes.find((e) => e.cls !== "sequence") ?? value.escapes[0];
      const cls = deciding?.cls ?? "none";
      // Each entry has an answer of its own: test/fuzz/vocab/lane-session.test.ts rehearses them all.
      if (cls === "lane_session") continue;
      const count = counts.get(cls) ?? 0;
      if (count >= per) continue;
      counts.set(cls, count + 1);
      picked.push(value);
    }
    return picked;
  }

  /**
   * Refused before touching the clone: R4's size edges as malformed input (a padded escape only
   * until the lane takes R4's 1 MiB exception), C2 by the classifier; or run and failed: a
   * sequence that moved (C3, C6), a migration that changed nothing (C6).
   */
  function expectedOf(
    value: P08Value,
    accepted: boolean,
  ): ReadonlyArray<{ verdict: string; reasons: string[] }> {
    const malformed = { verdict: "REFUSED", reasons: ["malformed_input"] };
    if (value.size === "migration over 1 MiB" || value.size === "request over 1 MiB + 64 KiB")
      return [malformed];
    const own = !accepted
      ? { verdict: "REFUSED", reasons: ["refused_by_classifier"] }
      : value.escapes.some((e) => e.cls === "no_op")
        ? { verdict: "FAIL", reasons: ["no_change"] }
        : { verdict: "FAIL", reasons: ["sequence_drift"] };
    return value.size === "padded past 4,096" ? [own, malformed] : [own];
  }

  it("never passes ~45 sampled escapes of every class and size, and the clone is back to its digest after each", async () => {
    const sampled = fc.sample(p08.arbitrary(ctx), { seed: SEED, numRuns: 900 });
    const values = [
      ...coverage(sampled, 5),
      ...["padded past 4,096", "migration over 1 MiB", "request over 1 MiB + 64 KiB"].flatMap((size) =>
        sampled.filter((v) => v.size === size).slice(0, 2),
      ),
    ];
    expect(values.length).toBe(45 + 6);
    const wrong: string[] = [];
    for (const value of values) {
      const what = p08.describe(value);
      const answer = await lane.rehearse(await p08.render(value, ctx));
      const classified = await classifyMigration(migrationOf(value));
      const expected = expectedOf(value, classified.ok).map((e) => JSON.stringify(e));
      const got = JSON.stringify({ verdict: answer.result.verdict, reasons: answer.result.reasons });
      if (!expected.includes(got)) wrong.push(`${what}: ${got}`);
      expect(answer.result.evidence, what).toBeUndefined();
      expect(await lane.cloneDigest(), what).toBe(before);
    }
    expect(wrong).toEqual([]);
    // 51 rehearsals on PGlite: about a minute on a quiet machine, several beside other test files.
  }, 300_000);
});
