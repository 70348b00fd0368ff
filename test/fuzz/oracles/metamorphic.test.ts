/**
 * The metamorphic oracle (issue #15) against the reference target: every relation must fire on a
 * gate with one flawed component (a realistic mistake each), and must stay quiet on the shipped
 * gate, where every relation is shown to have fired its variant (a quiet oracle that fired nothing
 * would prove nothing).
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idempotentLedger } from "../../../src/fuzz/calibrate/flaws/p04-idempotent-ledger.js";
import { grantNotBeforeIgnored } from "../../../src/fuzz/calibrate/flaws/p03-grant-not-before-ignored.js";
import { lexicalOptionLadder } from "../../../src/fuzz/calibrate/flaws/p05-lexical-option-ladder.js";
import { ownerKeyPinned } from "../../../src/fuzz/calibrate/flaws/p05-owner-key-pinned.js";
import { grantsReadByPosition } from "../../../src/fuzz/calibrate/flaws/p09-grants-read-by-position.js";
import { needsDischargedBlockers } from "../../../src/fuzz/contract/contract.js";
import { replayFinding } from "../../../src/fuzz/engine/replay.js";
import { DEFAULT_VARIANTS_PER_PROBE, metamorphicOracle } from "../../../src/fuzz/oracles/metamorphic.js";
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { RELATIONS, RELATION_IDS, type RelationId } from "../../../src/fuzz/metamorphic/index.js";
import type { ReferenceComponents } from "../../../src/fuzz/targets/reference.js";
import type { Finding, Judgement } from "../../../src/fuzz/types.js";
import {
  ACTIONS,
  SHIPPED_GATE_COMPONENTS,
  type Action,
  type BlockerOpen,
  type CheckGrants,
  type WriteVerdict,
} from "../../../src/lane/index.js";
import {
  BENDS,
  NOW,
  SALT,
  counting,
  judgeWith,
  openBench,
  sourceBytes,
  type Bench,
} from "../metamorphic/support.js";

const TIMEOUT = 120_000;
let bench: Bench;

beforeAll(async () => {
  bench = await openBench();
}, TIMEOUT);
afterAll(() => bench.close());

/** A gate that remembers every request it refused and calls a repeat a replay (G8: nothing changes). */
function rememberingRefusals(): WriteVerdict {
  const seen = new Set<string>();
  return (verdict, request) => {
    const key = createHash("sha256").update(request).digest("hex");
    const again = seen.has(key);
    seen.add(key);
    const answered =
      again && verdict.verdict !== "ALLOW"
        ? { ...verdict, verdict: "DENY" as const, reasons: ["replayed" as const] }
        : verdict;
    return SHIPPED_GATE_COMPONENTS.writeVerdict(answered, request);
  };
}

/** A grant count that asks for "a grant", not one per needed action (G3). */
const anyGrantWillDo: CheckGrants = (request, packet, grants, clock) => {
  const reasons = SHIPPED_GATE_COMPONENTS.checkGrants(request, packet, grants, clock);
  return reasons?.length === 1 && reasons[0] === "grant_missing" && grants.length > 0 ? undefined : reasons;
};

/** Only the owner's blockers count: the operator's are left to the operator (G3: every blocker). */
const ownersBlockersOnly: BlockerOpen = (blocker) =>
  blocker.status !== "DISCHARGED" && blocker.actors.includes("owner");

interface MustFire {
  readonly relation: RelationId;
  readonly flaw: string;
  readonly components: ReferenceComponents;
  readonly source: () => Promise<Uint8Array>;
  readonly expectation: "attack" | "control";
}

const MUST_FIRE: readonly MustFire[] = [
  {
    relation: "same-bytes",
    flaw: "a refusal remembered and its repeat called a replay",
    components: { gate: { writeVerdict: rememberingRefusals() } },
    source: () => sourceBytes(bench.ctx, "CUTOVER", BENDS.hold),
    expectation: "attack",
  },
  {
    relation: "same-bytes",
    flaw: "an idempotent ledger (an allowed request allowed again)",
    components: { gate: { ledger: idempotentLedger } },
    source: () => sourceBytes(bench.ctx, "REPOINT"),
    expectation: "control",
  },
  {
    relation: "grant-removed",
    flaw: "a grant count satisfied by any grant",
    components: { gate: { checkGrants: anyGrantWillDo } },
    source: () => sourceBytes(bench.ctx, "CUTOVER"),
    expectation: "control",
  },
  {
    relation: "window-moved",
    flaw: "a grant check that ignores not_before",
    components: { gate: { checkGrants: grantNotBeforeIgnored } },
    source: () => sourceBytes(bench.ctx, "PERMIT"),
    expectation: "control",
  },
  {
    relation: "option-weakened",
    flaw: "an option ladder compared as text",
    components: { gate: { optionPermits: lexicalOptionLadder } },
    source: () => sourceBytes(bench.ctx, "CUTOVER"),
    expectation: "control",
  },
  {
    relation: "blocker-added",
    flaw: "a blocker check that counts only the owner's blockers",
    components: { gate: { blockerOpen: ownersBlockersOnly } },
    source: () => sourceBytes(bench.ctx, "ACTIVATION"),
    expectation: "control",
  },
  {
    relation: "members-reordered",
    flaw: "grants read by position (from an allowed control)",
    components: { gate: { checkGrants: grantsReadByPosition } },
    source: () => sourceBytes(bench.ctx, "CUTOVER"),
    expectation: "control",
  },
  {
    relation: "members-reordered",
    flaw: "grants read by position (from a refusal for its evidence)",
    components: { gate: { checkGrants: grantsReadByPosition } },
    source: () => sourceBytes(bench.ctx, "QT001_APPLY", BENDS.unlisted),
    expectation: "attack",
  },
  {
    relation: "resealed-same-role",
    flaw: "a seal check pinned to the first owner key",
    components: { gate: { verifySeal: ownerKeyPinned } },
    source: () => sourceBytes(bench.ctx, "CUTOVER", BENDS.weak),
    expectation: "attack",
  },
];

function failure(judgement: Judgement): { oracle: string; reason: string } | undefined {
  return judgement.kind === "fail" ? { oracle: judgement.oracle.name, reason: judgement.reason } : undefined;
}

describe("the metamorphic oracle fires on a flawed gate, one relation each", () => {
  it("covers every relation", () => {
    expect(new Set(MUST_FIRE.map((c) => c.relation))).toEqual(new Set(RELATION_IDS));
  });

  for (const c of MUST_FIRE) {
    it(
      `${c.relation}: ${c.flaw}`,
      async () => {
        const target = await bench.open(c.components);
        const judgement = await judgeWith(bench, target, await c.source(), c.expectation, {
          relations: [c.relation],
        });
        const failed = failure(judgement);
        expect(failed?.oracle, JSON.stringify(judgement)).toBe("metamorphic");
        expect(failed?.reason).toMatch(new RegExp(`^metamorphic relation ${c.relation} \\(`));
        // The finding names both probes: the source's answer and the variant's edit and digest.
        expect(failed?.reason).toMatch(
          /the source got (HOLD|DENY|ALLOW) \[.*\]; its variant \(.+; \d+ bytes, sha256 [0-9a-f]{16}\) got /,
        );
      },
      TIMEOUT,
    );
  }

  it(
    "a finding replays from its bytes alone: the source fired, the same variant derived and fired again",
    async () => {
      const components = { gate: { checkGrants: grantsReadByPosition } };
      const bytes = await sourceBytes(bench.ctx, "QT001_APPLY", BENDS.unlisted);
      const oracles = [metamorphicOracle({ relations: ["members-reordered"] })];
      const found = failure(
        await judgeWith(bench, await bench.open(components), bytes, "attack", {
          relations: ["members-reordered"],
        }),
      );
      const finding = {
        family: "T-MM",
        operation: "decide",
        role: "attack",
        bytesB64: Buffer.from(bytes).toString("base64"),
        seed: 1,
        description: "metamorphic source",
        rule: "G4",
        now: NOW,
        salt: SALT,
      } as Finding;
      const setup = {
        oracles,
        canariesOf: () => canariesFromJwks(bench.kut.jwkSets),
        timeoutMs: 30_000,
        keyringUnderTest: () => Promise.resolve(bench.kut),
      };
      const replayed = failure(
        await replayFinding(finding, { ...setup, openTarget: () => bench.open(components) }),
      );
      expect(replayed?.reason).toBe(found?.reason);
      // Fixed, it passes: the shipped gate answers source and variant alike.
      expect(await replayFinding(finding, { ...setup, openTarget: () => bench.open() })).toEqual({
        kind: "pass",
      });
    },
    TIMEOUT,
  );

  it(
    "the same flaw stays unseen without the relation that finds it",
    async () => {
      const target = await bench.open({ gate: { verifySeal: ownerKeyPinned } });
      const others = RELATION_IDS.filter((id) => id !== "resealed-same-role");
      const judgement = await judgeWith(
        bench,
        target,
        await sourceBytes(bench.ctx, "CUTOVER", BENDS.weak),
        "attack",
        {
          relations: others,
          perProbe: others.length,
        },
      );
      expect(judgement).toEqual({ kind: "pass" });
    },
    TIMEOUT,
  );
});

/** How many relations claim something for this source: every variant below must be fired. */
function claimed(action: Action, standing: "refused" | "allowed"): number {
  return RELATIONS.filter((r) => r.expects(action, standing) !== undefined).length;
}

describe("the metamorphic oracle stays quiet on the shipped gate", () => {
  let target: ReturnType<typeof counting>;
  beforeAll(async () => {
    target = counting(await bench.open());
  }, TIMEOUT);

  const all = { perProbe: RELATION_IDS.length };

  it.each([...ACTIONS])(
    "an allowed control for %s: every relation's variant fired, none violated",
    async (action) => {
      const before = target.fired();
      const judgement = await judgeWith(
        bench,
        target.target,
        await sourceBytes(bench.ctx, action),
        "control",
        all,
      );
      expect(judgement).toEqual({ kind: "pass" });
      expect(target.fired() - before).toBe(1 + claimed(action, "allowed"));
      expect(claimed(action, "allowed")).toBe(needsDischargedBlockers(action) ? 7 : 6);
    },
    TIMEOUT,
  );

  // Nothing is weaker than HOLD_PRODUCTION: a HOLD source gets no option-weakened variant.
  it.each([
    ["HOLD_PRODUCTION", "CUTOVER", BENDS.hold, 6],
    ["an option too weak", "CUTOVER", BENDS.weak, 7],
    ["an open blocker", "REAL_RUN", BENDS.blocker, 7],
    ["an evidence tree the packet does not list", "QT001_APPLY", BENDS.unlisted, 7],
    ["HOLD_PRODUCTION for a dry run", "DRYRUN", BENDS.hold, 6],
  ] as const)(
    "a refusal (%s, %s): every relation's variant fired, none violated",
    async (_what, action, bend, variants) => {
      const before = target.fired();
      const judgement = await judgeWith(
        bench,
        target.target,
        await sourceBytes(bench.ctx, action, bend),
        "attack",
        all,
      );
      expect(judgement).toEqual({ kind: "pass" });
      expect(target.fired() - before).toBe(1 + variants);
      expect(claimed(action, "refused")).toBe(7);
    },
    TIMEOUT,
  );

  it(
    "by default a probe gets at most one variant (DEFAULT_VARIANTS_PER_PROBE)",
    async () => {
      const before = target.fired();
      const judgement = await judgeWith(
        bench,
        target.target,
        await sourceBytes(bench.ctx, "CUTOVER", BENDS.hold),
        "attack",
        {},
      );
      expect(judgement).toEqual({ kind: "pass" });
      // The probe itself and DEFAULT_VARIANTS_PER_PROBE variants.
      expect(DEFAULT_VARIANTS_PER_PROBE).toBe(1);
      expect(target.fired() - before).toBe(1 + DEFAULT_VARIANTS_PER_PROBE);
    },
    TIMEOUT,
  );

  it(
    "a variant answered with a body a lenient client reads as ALLOW breaks the relation (F1); other non-strict bodies do not",
    async () => {
      const oracle = metamorphicOracle({ perProbe: RELATION_IDS.length });
      const bytes = await sourceBytes(bench.ctx, "CUTOVER", BENDS.hold);
      const respond = (text: string) => ({
        kind: "responded" as const,
        elapsedMs: 1,
        headers: {},
        body: new TextEncoder().encode(text),
        channels: { stdout: "", stderr: "", files: new Map(), rows: [] },
      });
      const hold = { kind: "verdict", v: 1, verdict: "HOLD", reasons: ["hold_default"] } as const;
      const judgeWithVariantBody = (text: string) =>
        oracle.judge({
          probe: {
            family: "T",
            operation: "decide" as const,
            role: "attack" as const,
            bytes,
            seed: 1,
            description: "",
            rule: "G1",
          },
          expectation: "attack" as const,
          outcome: respond(JSON.stringify(hold)),
          answer: { kind: "document" as const, document: hold },
          canaries: [],
          sealedBy: () => Promise.resolve(undefined),
          variants: {
            keyring: bench.kut.keyring,
            now: NOW,
            salt: SALT,
            fire: () => Promise.resolve(respond(text)),
          },
        });
      // Two verdict members: JSON.parse (last wins) and first-wins parsers disagree; one reads ALLOW.
      const twoVerdicts =
        '{"kind":"verdict","v":1,"verdict":"HOLD","reasons":["hold_default"],"verdict":"ALLOW"}';
      const fired = await judgeWithVariantBody(twoVerdicts);
      expect(fired.kind).toBe("fail");
      expect(fired.kind === "fail" ? fired.reason : "").toContain("ALLOW to a lenient client");
      // Must stay quiet: a body nobody reads as ALLOW is the structured oracle's business, not this one's.
      expect(await judgeWithVariantBody("not json at all")).toEqual({ kind: "pass" });
    },
    TIMEOUT,
  );

  it("fires nothing for a rehearsal, a scenario step or an answer it cannot stand on", async () => {
    const oracle = metamorphicOracle({ perProbe: RELATION_IDS.length });
    const bytes = await sourceBytes(bench.ctx, "CUTOVER", BENDS.hold);
    let fired = 0;
    const variants = {
      keyring: bench.kut.keyring,
      now: NOW,
      salt: SALT,
      fire: () => {
        fired += 1;
        return Promise.resolve({ kind: "harness_error" as const, detail: "must not be fired" });
      },
    };
    const hold = { kind: "verdict", v: 1, verdict: "HOLD", reasons: ["hold_default"] } as const;
    const base = {
      probe: {
        family: "T",
        operation: "decide" as const,
        role: "attack" as const,
        bytes,
        seed: 1,
        description: "",
        rule: "G1",
      },
      expectation: "attack" as const,
      outcome: {
        kind: "responded" as const,
        elapsedMs: 1,
        headers: {},
        body: new Uint8Array(),
        channels: { stdout: "", stderr: "", files: new Map(), rows: [] },
      },
      answer: { kind: "document" as const, document: hold },
      canaries: [],
      sealedBy: () => Promise.resolve(undefined),
      variants,
    };
    // The same input with the fire hook is judged (and the hook's harness error says so) ...
    expect(await oracle.judge(base)).toMatchObject({ kind: "error" });
    expect(fired).toBe(1);
    // ... but never for a rehearsal, a scenario step, a control that was refused or without the hook.
    expect(await oracle.judge({ ...base, probe: { ...base.probe, operation: "rehearse" } })).toEqual({
      kind: "pass",
    });
    expect(await oracle.judge({ ...base, step: { index: 0, count: 2 } })).toEqual({ kind: "pass" });
    expect(await oracle.judge({ ...base, expectation: "control" })).toEqual({ kind: "pass" });
    const { variants: _none, ...withoutHook } = base;
    expect(await oracle.judge(withoutHook)).toEqual({ kind: "pass" });
    expect(fired).toBe(1);
  });
});
