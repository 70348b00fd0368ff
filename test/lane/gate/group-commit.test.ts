/**
 * Group commit of refusals through the real gate (issue #17; G5, G6, G8), on embedded PGlite and
 * on a real server: concurrent refusals share INSERTs and each is answered with exactly one audit
 * row; a failed shared INSERT answers every refusal in it DENY internal_error and records none of
 * them; ALLOWs keep their own transaction while refusals are batched around them.
 * The real-server half skips, saying why, without FAILCLOSED_TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/lane/db/open.js";
import type { SqlDatabase, SqlValue } from "../../../src/lane/db/session.js";
import { createGate, type Gate, type GateDecision } from "../../../src/lane/gate/gate.js";
import { openLedger, type Ledger } from "../../../src/lane/gate/ledger/ledger.js";
import {
  REAL_SERVER_SKIP_REASON,
  createScratchDatabase,
  hasRealServer,
} from "../../support/real-postgres.js";
import {
  BASE_NOW,
  Docs,
  checkAnswer,
  expectRefusal,
  fixedClock,
  makeTestKeys,
  uniqueId,
  type BuiltRequest,
  type Engine,
  type TestKeys,
} from "../../support/gate-fixtures.js";

const AUDIT_INSERT = "INSERT INTO failclosed_gate.audit_log";
const PARAMS_PER_AUDIT_ROW = 6;

/**
 * The gate's database with a hand on the refusals' audit INSERTs (an ALLOW's own transaction runs
 * in a session and is not touched): it counts their rows, can hold them, and can make them fail.
 */
class AuditTap {
  readonly insertRows: number[] = [];
  fail = false;
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(readonly inner: SqlDatabase) {}

  readonly db = (): SqlDatabase => ({
    ...this.inner,
    query: async (sql: string, params?: readonly SqlValue[]) => {
      if (sql.includes(AUDIT_INSERT)) {
        this.insertRows.push((params?.length ?? 0) / PARAMS_PER_AUDIT_ROW);
        if (this.#held !== undefined) await this.#held;
        if (this.fail) throw new Error("induced failure of the audit INSERT");
      }
      return this.inner.query(sql, params);
    },
  });

  hold(): void {
    this.#held = new Promise((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#release?.();
    this.#held = undefined;
  }
}

/** Resolves once `count` refusals have reached the ledger (and so joined its queue). */
class Arrivals {
  #seen = 0;
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  arrived(): void {
    this.#seen += 1;
    for (const waiter of this.#waiters.filter((w) => w.count <= this.#seen)) waiter.resolve();
    this.#waiters = this.#waiters.filter((w) => w.count > this.#seen);
  }

  reset(): void {
    this.#seen = 0;
  }

  until(count: number): Promise<void> {
    if (this.#seen >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

interface Subject {
  readonly gate: Gate;
  readonly ledger: Ledger;
  readonly tap: AuditTap;
  readonly arrivals: Arrivals;
  close(): Promise<void>;
}

async function openSubject(engine: Engine, keys: TestKeys): Promise<Subject> {
  const scratch = engine === "postgres" ? await createScratchDatabase("fc_group") : undefined;
  const inner = await openDatabase(
    scratch === undefined ? { engine: "pglite" } : { engine: "postgres", url: scratch.url },
  );
  const tap = new AuditTap(inner);
  const ledger = await openLedger(tap.db());
  const arrivals = new Arrivals();
  const gate = createGate({
    keyring: keys.keyring,
    ledger,
    clock: fixedClock(BASE_NOW),
    // Generous: on a loaded machine a burst may queue for a while, and a timed-out decision would
    // answer DENY internal_error for reasons this test is not about.
    timeoutMs: 60_000,
    components: {
      // Counts refusals as they reach the ledger; the ledger itself is the real one.
      ledger: (configured) => ({
        ...configured,
        recordRefusal: (entry) => {
          arrivals.arrived();
          return configured.recordRefusal(entry);
        },
      }),
    },
  });
  return {
    gate,
    ledger,
    tap,
    arrivals,
    async close() {
      await inner.close();
      await scratch?.drop();
    },
  };
}

/** Audit rows per request_id, straight from the table. */
async function rowsPerRequest(db: SqlDatabase, ids: readonly string[]): Promise<Map<string, string[]>> {
  const { rows } = await db.query(
    `SELECT request_id, verdict FROM failclosed_gate.audit_log
      WHERE request_id = ANY(string_to_array($1, ' ')) ORDER BY id`,
    [ids.join(" ")],
  );
  const found = new Map<string, string[]>();
  for (const row of rows) {
    const id = String(row["request_id"]);
    found.set(id, [...(found.get(id) ?? []), String(row["verdict"])]);
  }
  return found;
}

/**
 * The first refusal's INSERT was held until every refusal of the burst had reached the ledger:
 * whatever the first write took (one, or the few decided in the same turn), the others all
 * waited for it and went together in the second.
 */
function expectTwoWrites(inserts: readonly number[], burst: number): void {
  expect(inserts).toHaveLength(2);
  expect(inserts[0]! + inserts[1]!).toBe(burst);
  expect(inserts[1]).toBeGreaterThan(burst / 2);
}

type Expected = {
  verdict: "HOLD" | "DENY";
  reasons: Array<"hold_default" | "option_forbids" | "grant_missing">;
};

/** Refusals of three kinds, each kind sealed once and sent under many request ids. */
async function refusalKinds(
  docs: Docs,
): Promise<Array<{ built: BuiltRequest; action: string; expected: Expected }>> {
  const forbidden = docs.scenario("CUTOVER");
  forbidden.packet.payload["selected"] = "AUTHORIZE_PRODUCTION_DRYRUN_ONLY";
  const missing = docs.scenario("PERMIT");
  missing.grants.shift();
  return [
    {
      built: await docs.build(docs.holdScenario("CUTOVER")),
      action: "CUTOVER",
      expected: { verdict: "HOLD", reasons: ["hold_default"] },
    },
    {
      built: await docs.build(forbidden),
      action: "CUTOVER",
      expected: { verdict: "DENY", reasons: ["option_forbids"] },
    },
    {
      built: await docs.build(missing),
      action: "PERMIT",
      expected: { verdict: "DENY", reasons: ["grant_missing"] },
    },
  ];
}

function groupCommitSuite(engine: Engine): void {
  let keys: TestKeys;
  let docs: Docs;
  let subject: Subject;
  let kinds: Awaited<ReturnType<typeof refusalKinds>>;

  beforeAll(async () => {
    keys = await makeTestKeys();
    docs = new Docs(keys, BASE_NOW);
    subject = await openSubject(engine, keys);
    kinds = await refusalKinds(docs);
  });

  afterAll(async () => {
    await subject?.close();
  });

  function burst(count: number, prefix: string) {
    return Array.from({ length: count }, (_, i) => {
      const kind = kinds[i % kinds.length]!;
      const requestId = uniqueId(`${prefix}${i}`);
      return {
        requestId,
        expected: kind.expected,
        bytes: docs.requestBytes(kind.built.sealed, kind.action, requestId),
      };
    });
  }

  async function decideAll(requests: ReadonlyArray<{ bytes: Uint8Array }>): Promise<GateDecision[]> {
    const decisions = await Promise.all(requests.map((r) => subject.gate.decide(r.bytes)));
    for (const decision of decisions) checkAnswer(decision, keys);
    return decisions;
  }

  it("200 concurrent refusals: each answered as decided, each with exactly one audit row", async () => {
    const requests = burst(200, "many");
    const insertsBefore = subject.tap.insertRows.length;
    const consumedBefore = await subject.ledger.consumedCount();

    const decisions = await decideAll(requests);

    for (const [i, decision] of decisions.entries()) {
      const { requestId, expected } = requests[i]!;
      expectRefusal(decision.bytes, keys, expected.verdict, expected.reasons, requestId);
    }
    const rows = await rowsPerRequest(
      subject.tap.inner,
      requests.map((r) => r.requestId),
    );
    for (const { requestId, expected } of requests)
      expect(rows.get(requestId)).toStrictEqual([expected.verdict]);
    const inserts = subject.tap.insertRows.slice(insertsBefore);
    expect(inserts.reduce((sum, n) => sum + n, 0)).toBe(200);
    expect(await subject.ledger.consumedCount()).toBe(consumedBefore);
  });

  it("must fire: refusals that arrive during a write share the next INSERT, answered after it", async () => {
    const requests = burst(40, "shared");
    const insertsBefore = subject.tap.insertRows.length;
    subject.arrivals.reset();
    subject.tap.hold();
    const answered: string[] = [];
    const pending = requests.map((r) =>
      subject.gate.decide(r.bytes).then((d) => {
        answered.push(r.requestId);
        return d;
      }),
    );
    await subject.arrivals.until(requests.length);
    // Every refusal is decided and waits for its audit entry; none may be answered yet.
    expect(answered).toStrictEqual([]);
    subject.tap.release();
    const decisions = await Promise.all(pending);

    expectTwoWrites(subject.tap.insertRows.slice(insertsBefore), requests.length);
    for (const [i, decision] of decisions.entries()) {
      const { requestId, expected } = requests[i]!;
      expectRefusal(decision.bytes, keys, expected.verdict, expected.reasons, requestId);
    }
    const rows = await rowsPerRequest(
      subject.tap.inner,
      requests.map((r) => r.requestId),
    );
    for (const { requestId, expected } of requests)
      expect(rows.get(requestId)).toStrictEqual([expected.verdict]);
  });

  it("must fire: a failed shared INSERT answers every refusal in it DENY internal_error and records none", async () => {
    const requests = burst(30, "failed");
    const insertsBefore = subject.tap.insertRows.length;
    subject.arrivals.reset();
    subject.tap.hold();
    const pending = requests.map((r) => subject.gate.decide(r.bytes));
    await subject.arrivals.until(requests.length);
    subject.tap.fail = true;
    subject.tap.release();
    const decisions = await Promise.all(pending);
    subject.tap.fail = false;

    expectTwoWrites(subject.tap.insertRows.slice(insertsBefore), requests.length);
    for (const [i, decision] of decisions.entries()) {
      const { requestId, expected } = requests[i]!;
      // G6: the same refusal, no longer clean: the audit dependency failed (a HOLD becomes a DENY).
      expectRefusal(decision.bytes, keys, "DENY", [...expected.reasons, "internal_error"], requestId);
    }
    const rows = await rowsPerRequest(
      subject.tap.inner,
      requests.map((r) => r.requestId),
    );
    expect(rows.size).toBe(0);

    // Must stay quiet: the next refusal after the failure is written and answered as usual.
    const [after] = burst(1, "after");
    const decision = await subject.gate.decide(after!.bytes);
    expectRefusal(decision.bytes, keys, after!.expected.verdict, after!.expected.reasons, after!.requestId);
    expect((await rowsPerRequest(subject.tap.inner, [after!.requestId])).get(after!.requestId)).toStrictEqual(
      [after!.expected.verdict],
    );
  });

  it("ALLOWs amid a burst of refusals: each fresh request allowed once, its replays denied, every answer audited once", async () => {
    const allows = await Promise.all(Array.from({ length: 8 }, () => docs.authorized("REPOINT")));
    const refusals = burst(64, "amid");
    const consumedBefore = await subject.ledger.consumedCount();
    // Each ALLOW sent twice, interleaved with the refusals.
    const sends = [...allows, ...allows].map((a) => ({ bytes: a.bytes, requestId: a.requestId }));
    const mixed = refusals.flatMap((r, i) => (i < sends.length ? [r, sends[i]!] : [r]));

    const decisions = await decideAll(mixed);

    for (const allow of allows) {
      const mine = decisions.filter((d) => d.verdict.request_id === allow.requestId);
      expect(mine.map((d) => d.verdict.verdict).sort()).toStrictEqual(["ALLOW", "DENY"]);
      for (const nonce of allow.nonces) expect(await subject.ledger.isConsumed(nonce)).toBe(true);
    }
    expect(await subject.ledger.consumedCount()).toBe(consumedBefore + 8 * 2);
    const rows = await rowsPerRequest(subject.tap.inner, [
      ...refusals.map((r) => r.requestId),
      ...allows.map((a) => a.requestId),
    ]);
    for (const { requestId, expected } of refusals)
      expect(rows.get(requestId)).toStrictEqual([expected.verdict]);
    for (const allow of allows)
      expect([...(rows.get(allow.requestId) ?? [])].sort()).toStrictEqual(["ALLOW", "DENY"]);
  });
}

describe("group commit of refusals on embedded PGlite", () => {
  groupCommitSuite("pglite");
});

describe.skipIf(!hasRealServer())(
  `group commit of refusals on a real PostgreSQL server${hasRealServer() ? "" : ` (skipped: ${REAL_SERVER_SKIP_REASON})`}`,
  () => {
    groupCommitSuite("postgres");
  },
);
