/**
 * G5 and G8 under concurrency: many decide() calls at once carrying the same grants produce
 * exactly one ALLOW, on embedded PGlite and on a real PostgreSQL server, and refusals change
 * nothing but the audit log. The real-server half skips, saying why, without
 * FAILCLOSED_TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateDecision } from "../../../src/lane/gate/gate.js";
import { openGateService } from "../../../src/lane/server/gate-service.js";
import {
  REAL_SERVER_SKIP_REASON,
  createScratchDatabase,
  hasRealServer,
} from "../../support/real-postgres.js";
import {
  BASE_NOW,
  Docs,
  expectAllowShape,
  expectPermitFor,
  expectRefusal,
  fixedClock,
  makeTestKeys,
  newGate,
  uniqueId,
  type Engine,
  type TestGate,
  type TestKeys,
} from "../../support/gate-fixtures.js";

const CONCURRENT = 64;

function count(decisions: readonly GateDecision[], verdict: string): number {
  return decisions.filter((d) => d.verdict.verdict === verdict).length;
}

function raceSuite(engine: Engine): void {
  let keys: TestKeys;
  let docs: Docs;
  let tg: TestGate;

  beforeAll(async () => {
    keys = await makeTestKeys();
    docs = new Docs(keys, BASE_NOW);
    // A generous deadline: on a loaded machine the 64th commit may queue for a while, and a
    // timed-out winner (DENY internal_error) would make the count of ALLOWs meaningless.
    tg = await newGate({ engine, keys, timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await tg?.close();
  });

  it(`${CONCURRENT} concurrent requests with the same CUTOVER grants: exactly one ALLOW, ${CONCURRENT - 1} DENY replayed`, async () => {
    const scenario = docs.scenario("CUTOVER");
    const first = await docs.build(scenario);
    const reversed = { ...first.sealed, grants: [...first.sealed.grants].reverse() };
    // Distinct request ids, the grants in both orders: only the grants are shared.
    const requests = Array.from({ length: CONCURRENT }, (_, i) => {
      const requestId = uniqueId(`race${i}`);
      return {
        requestId,
        bytes: docs.requestBytes(i % 2 === 0 ? first.sealed : reversed, "CUTOVER", requestId),
      };
    });
    const consumedBefore = await tg.ledger.consumedCount();
    const auditBefore = await tg.auditCount();

    const decisions = await Promise.all(requests.map((r) => tg.decide(r.bytes)));

    expect(count(decisions, "ALLOW")).toBe(1);
    expect(count(decisions, "DENY")).toBe(CONCURRENT - 1);
    const winner = decisions.findIndex((d) => d.verdict.verdict === "ALLOW");
    for (const [i, decision] of decisions.entries()) {
      const { requestId, bytes } = requests[i]!;
      if (i === winner) {
        const order = i % 2 === 0 ? first.grantIds : [...first.grantIds].reverse();
        await expectPermitFor(expectAllowShape(decision.bytes, requestId), keys, {
          requestId,
          action: "CUTOVER",
          grantIds: order,
          issuedAt: BASE_NOW,
        });
      } else {
        expect(bytes.length).toBeGreaterThan(0);
        expectRefusal(decision.bytes, keys, "DENY", ["replayed"], requestId);
      }
    }
    for (const nonce of first.nonces) expect(await tg.ledger.isConsumed(nonce)).toBe(true);
    expect(await tg.ledger.consumedCount()).toBe(consumedBefore + 2);
    expect(await tg.auditCount()).toBe(auditBefore + CONCURRENT);
    const entries = await tg.ledger.auditEntries(CONCURRENT);
    expect(entries.filter((e) => e.verdict === "ALLOW")).toHaveLength(1);
    expect(entries.filter((e) => e.verdict === "DENY" && e.reasons.join() === "replayed")).toHaveLength(
      CONCURRENT - 1,
    );
  });

  it("32 concurrent requests sharing only the REAL_RUN grant: one ALLOW, the losers' own grants stay unconsumed", async () => {
    const base = docs.scenario("CUTOVER");
    const sharedRealRun = await docs.seal("grant", base.grants[0]!);
    const packet = await docs.seal("decision-packet", base.packet);
    const requests = await Promise.all(
      Array.from({ length: 32 }, async (_, i) => {
        const own = docs.scenario("CUTOVER").grants[1]!;
        const requestId = uniqueId(`share${i}`);
        return {
          requestId,
          ownNonce: String(own.payload["nonce"]),
          bytes: docs.requestBytes(
            { packet, grants: [sharedRealRun, await docs.seal("grant", own)] },
            "CUTOVER",
            requestId,
          ),
        };
      }),
    );
    const consumedBefore = await tg.ledger.consumedCount();

    const decisions = await Promise.all(requests.map((r) => tg.decide(r.bytes)));

    expect(count(decisions, "ALLOW")).toBe(1);
    for (const [i, decision] of decisions.entries()) {
      const request = requests[i]!;
      const allowed = decision.verdict.verdict === "ALLOW";
      if (!allowed) expectRefusal(decision.bytes, keys, "DENY", ["replayed"], request.requestId);
      // Atomic (G5): a loser's unshared grant was not consumed along the way.
      expect(await tg.ledger.isConsumed(request.ownNonce)).toBe(allowed);
    }
    expect(await tg.ledger.consumedCount()).toBe(consumedBefore + 2);
  });

  it("16 distinct authorised requests, each sent 4 times at once: exactly 16 ALLOWs, one per request", async () => {
    const built = await Promise.all(Array.from({ length: 16 }, () => docs.authorized("REPOINT")));
    const sends = built.flatMap((b) => [b, b, b, b]);
    const consumedBefore = await tg.ledger.consumedCount();

    const decisions = await Promise.all(sends.map((b) => tg.decide(b.bytes)));

    for (const b of built) {
      const mine = decisions.filter((d) => d.verdict.request_id === b.requestId);
      expect(mine).toHaveLength(4);
      expect(count(mine, "ALLOW")).toBe(1);
      for (const d of mine.filter((x) => x.verdict.verdict !== "ALLOW")) {
        expectRefusal(d.bytes, keys, "DENY", ["replayed"], b.requestId);
      }
    }
    expect(await tg.ledger.consumedCount()).toBe(consumedBefore + 32);
  });

  it("concurrent refusals change nothing but the audit log (G8)", async () => {
    const hold = docs.holdScenario("CUTOVER");
    const forbidden = docs.scenario("CUTOVER");
    forbidden.packet.payload["selected"] = "AUTHORIZE_PRODUCTION_DRYRUN_ONLY";
    const blocked = docs.scenario("ACTIVATION");
    (blocked.packet.payload["blockers"] as Array<Record<string, unknown>>)[0]!["status"] = "OPEN";
    const missing = docs.scenario("PERMIT");
    missing.grants.shift();
    const cases = [
      { scenario: hold, verdict: "HOLD" as const, reasons: ["hold_default" as const] },
      { scenario: forbidden, verdict: "DENY" as const, reasons: ["option_forbids" as const] },
      { scenario: blocked, verdict: "DENY" as const, reasons: ["blocker_open" as const] },
      { scenario: missing, verdict: "DENY" as const, reasons: ["grant_missing" as const] },
    ];
    const built = await Promise.all(cases.map((c) => docs.build(c.scenario)));
    const consumedBefore = await tg.ledger.consumedCount();
    const auditBefore = await tg.auditCount();

    const rounds = 8;
    const decisions = await Promise.all(
      Array.from({ length: rounds }, () => built.map((b) => tg.decide(b.bytes))).flat(),
    );

    for (const [i, decision] of decisions.entries()) {
      const c = cases[i % cases.length]!;
      expectRefusal(decision.bytes, keys, c.verdict, c.reasons, built[i % cases.length]!.requestId);
    }
    expect(await tg.ledger.consumedCount()).toBe(consumedBefore);
    for (const b of built)
      for (const nonce of b.nonces) expect(await tg.ledger.isConsumed(nonce)).toBe(false);
    expect(await tg.auditCount()).toBe(auditBefore + rounds * cases.length);
  });
}

describe("concurrency on embedded PGlite", () => {
  raceSuite("pglite");
});

describe.skipIf(!hasRealServer())(
  `concurrency on a real PostgreSQL server${hasRealServer() ? "" : ` (skipped: ${REAL_SERVER_SKIP_REASON})`}`,
  () => {
    raceSuite("postgres");

    it("openGateService over a connection string: healthy, ALLOW once, then replayed", async () => {
      const keys = await makeTestKeys();
      const docs = new Docs(keys, BASE_NOW);
      const scratch = await createScratchDatabase("fc_gate_service");
      try {
        const service = await openGateService({
          keyring: keys.keyring,
          database: { engine: "postgres", url: scratch.url },
          clock: fixedClock(BASE_NOW),
          skewSeconds: 60,
        });
        try {
          expect(service.db.engine).toBe("postgres");
          await expect(service.health()).resolves.toBeUndefined();
          const request = await docs.authorized("ACTIVATION");
          const [first, second] = await Promise.all([
            service.decide(request.bytes),
            service.decide(request.bytes),
          ]);
          const answers = [first, second].map((a) => a.class).sort();
          expect(answers).toStrictEqual(["allow", "deny"]);
          const denied = first.class === "deny" ? first : second;
          expectRefusal(denied.bytes, keys, "DENY", ["replayed"], request.requestId);
          for (const nonce of request.nonces) expect(await service.ledger.isConsumed(nonce)).toBe(true);
        } finally {
          await service.close();
        }
      } finally {
        await scratch.drop();
      }
    });
  },
);
