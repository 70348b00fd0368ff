/**
 * P02, P03, P05, P06 against the reference gate in process. Per family: the contract (every
 * generated and every shrunk value says which rule it breaks, and renders to the same bytes
 * twice), the reference gate refuses every sampled probe (DENY or HOLD, no permit, no nonce
 * consumed), and the unmodified authorised request for the same labels is allowed, so the
 * attacks differ from a permit by their flaw alone.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p02 } from "../../probes/p02-forged-seal.js";
import { family as p03 } from "../../probes/p03-unauthorized-action.js";
import { family as p05 } from "../../probes/p05-option-escalation.js";
import { family as p06 } from "../../probes/p06-blocker-bypass.js";
import { deriveKeyringUnderTest } from "../../src/fuzz/keyring/under-test.js";
import type { FamilyContext, ProbeFamily } from "../../src/fuzz/types.js";
import {
  authorizedParts,
  authorizedRequest,
  labelOf,
  renderMutated,
  type PacketBase,
} from "../../src/index.js";
import { decodeDocument } from "../../src/lane/codec/decode.js";
import type { Action } from "../../src/lane/codec/documents.js";
import { timestampSeconds } from "../../src/lane/codec/formats.js";
import type { SqlDatabase } from "../../src/lane/db/session.js";
import { openPglite } from "../../src/lane/db/pglite.js";
import { fixedClock } from "../../src/kernel/clock.js";
import { createGate, type Gate } from "../../src/lane/gate/gate.js";
import { openLedger } from "../../src/lane/gate/ledger/ledger.js";
import { familyContext } from "../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../src/fuzz/engine/seed-corpus.js";
import type { Ledger } from "../../src/lane/gate/ledger/types.js";

const NOW = timestampSeconds("2030-01-15T12:00:00Z");
const SALT = "test-salt";
const CONTRACT_SEED = 20_260_612;
const GATE_SEED = 7_150_301;
const CONTRACT_SAMPLES = 200;
const SHRINK_WALKS = 25;
const FIRED = 300;
const CONTROLS = 12;

/** Any compact JWS: a refusal must carry none (G7). */
const JWS = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}/;

interface Harness {
  readonly ctx: FamilyContext;
  readonly gate: Gate;
  readonly ledger: Ledger;
  readonly db: SqlDatabase;
}

let harness: Harness | undefined;

function h(): Harness {
  if (harness === undefined) throw new Error("the gate was not built");
  return harness;
}

beforeAll(async () => {
  const kut = await deriveKeyringUnderTest(SALT);
  const ctx: FamilyContext = familyContext(kut, NOW, SALT, await loadSeedCorpus());
  // One gate for the four families: labels (hence grant ids and nonces) never collide across them.
  const db = await openPglite();
  const ledger = await openLedger(db);
  const gate = createGate({ keyring: kut.keyring, ledger, clock: fixedClock(NOW) });
  harness = { ctx, gate, ledger, db };
});

afterAll(async () => {
  await harness?.db.close();
});

/** Every value's rule is "ID: what", and ID is one the family says it breaks. */
function expectRule<S>(family: ProbeFamily<S>, value: S): void {
  const rule = family.breaks(value, h().ctx);
  expect(rule, family.describe(value)).toMatch(/^[A-Z]\d+: \S/);
  expect(family.rules).toContain(rule?.split(":")[0]);
}

const hashOf = (value: unknown): number =>
  createHash("sha256").update(JSON.stringify(value)).digest().readUInt32BE(0);

/**
 * Values fast-check visits while shrinking: a property that fails on two thirds of the values
 * (by hash) makes the shrinker try, and skip, many candidates rather than one straight path.
 */
function shrinkCandidates<S>(family: ProbeFamily<S>, seed: number): S[] {
  const seen: S[] = [];
  fc.check(
    fc.property(family.arbitrary(h().ctx), (value) => {
      seen.push(value);
      return hashOf(value) % 3 === 0;
    }),
    { seed, numRuns: 100 },
  );
  return seen;
}

/** Each family's values name their action, and the packet base they start from when they have one. */
function familySuite<S extends { readonly action: Action; readonly base?: PacketBase }>(
  family: ProbeFamily<S>,
): void {
  describe(`${family.id} ${family.name}`, () => {
    it("declares an attack on decide with at least 1000 runs", () => {
      expect({
        operation: family.operation,
        role: family.role,
        minRuns: family.minRuns,
      }).toStrictEqual({ operation: "decide", role: "attack", minRuns: 1_000 });
    });

    it("names the broken rule of every sampled value and renders it to the same bytes twice", async () => {
      const values = fc.sample(family.arbitrary(h().ctx), { seed: CONTRACT_SEED, numRuns: CONTRACT_SAMPLES });
      expect(values).toHaveLength(CONTRACT_SAMPLES);
      for (const value of values) {
        expectRule(family, value);
        expect(family.describe(value).length).toBeGreaterThan(0);
        const first = await family.render(value, h().ctx);
        const second = await family.render(value, h().ctx);
        expect(Buffer.from(second).equals(Buffer.from(first)), family.describe(value)).toBe(true);
      }
    });

    it("names the broken rule of every shrunk value, which still renders", async () => {
      let visited = 0;
      for (let walk = 0; walk < SHRINK_WALKS; walk++) {
        for (const value of shrinkCandidates(family, CONTRACT_SEED + walk)) {
          expectRule(family, value);
          await family.render(value, h().ctx);
          visited++;
        }
      }
      // Many more than one value a walk: the shrinker really was exercised.
      expect(visited).toBeGreaterThan(SHRINK_WALKS * 3);
    });

    it("is refused by the reference gate, and the same labels unmodified are allowed", async () => {
      const { ctx, gate, ledger } = h();
      const values = fc.sample(family.arbitrary(ctx), { seed: GATE_SEED, numRuns: FIRED });
      const consumedBefore = await ledger.consumedCount();
      const wronglyAnswered: string[] = [];
      for (const value of values) {
        const decision = await gate.decide(await family.render(value, ctx));
        const body = Buffer.from(decision.bytes).toString("utf8");
        const verdict = decision.verdict.verdict;
        if (verdict === "ALLOW" || decision.verdict.permit !== undefined || JWS.test(body)) {
          wronglyAnswered.push(`${verdict}: ${family.describe(value)}`);
        }
      }
      expect(wronglyAnswered).toStrictEqual([]);
      // F3: a refused probe consumes nothing.
      expect(await ledger.consumedCount()).toBe(consumedBefore);

      // F5 for these very labels and bases: without the flaw, the request is allowed, so the
      // grants the attacks carried were genuine and are still unused.
      const labels = new Map<string, S>();
      for (const value of values) {
        if (labels.size < CONTROLS) labels.set(labelOf(value), value);
      }
      for (const [label, { action, base }] of labels) {
        const parts = authorizedParts(ctx, label, action, base);
        const decision = await gate.decide(renderMutated(await authorizedRequest(ctx, parts), []));
        expect({ action, verdict: decision.verdict.verdict }).toStrictEqual({ action, verdict: "ALLOW" });
        expect(typeof decision.verdict.permit).toBe("string");
      }
    });
  });
}

describe("P02 forged-seal, tampered payloads", () => {
  it("are still valid documents, so only the signature stands between them and a permit", async () => {
    const { ctx } = h();
    const values = fc
      .sample(p02.arbitrary(ctx), { seed: CONTRACT_SEED, numRuns: 2_000 })
      .filter((v) => v.forgeries.some((f) => f.flaw.kind === "tamper-payload"));
    expect(values.length).toBeGreaterThan(20);
    for (const value of values) {
      const sent = JSON.parse(Buffer.from(await p02.render(value, ctx)).toString("utf8")) as {
        packet: string;
        grants: string[];
        evidence?: string;
      };
      for (const { slot, flaw } of value.forgeries) {
        if (flaw.kind !== "tamper-payload") continue;
        const jws =
          slot === "packet"
            ? sent.packet
            : slot === "evidence"
              ? sent.evidence
              : sent.grants[slot === "grant-0" ? 0 : 1];
        const kind = slot === "packet" ? "decision-packet" : slot === "evidence" ? "evidence" : "grant";
        const payload = Buffer.from(jws?.split(".")[1] ?? "", "base64url");
        expect(decodeDocument(kind, payload).ok, p02.describe(value)).toBe(true);
      }
    }
  });
});

describe("P03 unauthorized-action, combined problems", () => {
  it("never cancel: grant and evidence each on another artifact still disagree", async () => {
    const { ctx, gate } = h();
    // Found by a 5,000-probe run: both sides once shared one "other" digest, so they agreed again
    // and the request was rightly allowed, a false finding. Both orders, as fast-check makes them.
    const evidenceSide = { place: "evidence", problem: "other-artifact" } as const;
    const grantSide = { place: "evidence", problem: "grant-other-artifact" } as const;
    for (const problems of [
      [evidenceSide, grantSide],
      [grantSide, evidenceSide],
    ]) {
      const value = { entropy: 1, action: "QT001_APPLY", problems } as const;
      expectRule(p03, value);
      const decision = await gate.decide(await p03.render(value, ctx));
      expect(decision.verdict).toStrictEqual({
        kind: "verdict",
        v: 1,
        verdict: "DENY",
        reasons: ["evidence_invalid"],
        request_id: decision.verdict.request_id,
      });
    }
  });
});

familySuite(p02);
familySuite(p03);
familySuite(p05);
familySuite(p06);
