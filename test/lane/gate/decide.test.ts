/**
 * The gate's decide() over bytes (T1): G1 HOLD, the positive controls of G2-G4, G5's permit and
 * nonce consumption, G6's failures-are-DENY, G7's refusal shape, R9's skew. One PGlite per file;
 * every test uses fresh request ids, grant ids and nonces instead of a fresh database.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Action, GateReason } from "../../../src/lane/codec/documents.js";
import { ACTIONS } from "../../../src/lane/codec/documents.js";
import { FailclosedError } from "../../../src/kernel/errors.js";
import { fixedClock } from "../../../src/kernel/clock.js";
import { createGate, type Gate, type GateDecision } from "../../../src/lane/gate/gate.js";
import { openLedger } from "../../../src/lane/gate/ledger/ledger.js";
import type { Ledger } from "../../../src/lane/gate/ledger/types.js";
import { err } from "../../../src/kernel/result.js";
import type { KeyEntry } from "../../../src/lane/seal/keyring.js";
import {
  BASE_NOW,
  Docs,
  PACKET_ID,
  checkAnswer,
  checkRefusalShape,
  expectAllowShape,
  expectNoSecrets,
  expectPermitFor,
  expectRefusal,
  iso,
  makeTestKeys,
  newGate,
  verifyPermit,
  type TestGate,
  type TestKeys,
} from "../../support/gate-fixtures.js";

let keys: TestKeys;
let docs: Docs;
let tg: TestGate;

beforeAll(async () => {
  keys = await makeTestKeys();
  docs = new Docs(keys, BASE_NOW);
  tg = await newGate({ engine: "pglite", keys, skewSeconds: 60 });
});

afterAll(async () => {
  await tg?.close();
});

async function newestAudit() {
  const [entry] = await tg.ledger.auditEntries(1);
  if (entry === undefined) throw new Error("the audit log is empty");
  return entry;
}

/** Another gate over the same ledger and keys: for settings that differ, without another database. */
function sibling(
  options: {
    ledger?: Ledger;
    skewSeconds?: number;
    now?: number;
    timeoutMs?: number;
    permitLifetimeSeconds?: number;
  } = {},
): Gate {
  return createGate({
    keyring: keys.keyring,
    ledger: options.ledger ?? tg.ledger,
    clock: fixedClock(options.now ?? BASE_NOW),
    skewSeconds: options.skewSeconds ?? 60,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.permitLifetimeSeconds === undefined
      ? {}
      : { permitLifetimeSeconds: options.permitLifetimeSeconds }),
  });
}

async function decideWith(gate: Gate, bytes: Uint8Array): Promise<GateDecision> {
  const decision = await gate.decide(bytes);
  checkAnswer(decision, keys);
  return decision;
}

async function expectUnconsumed(nonces: readonly string[]): Promise<void> {
  for (const nonce of nonces) expect(await tg.ledger.isConsumed(nonce)).toBe(false);
}

describe("G1: a packet selecting HOLD_PRODUCTION holds every action", () => {
  it.each(ACTIONS)("%s with every grant it would need is HOLD hold_default", async (action) => {
    const request = await docs.build(docs.holdScenario(action));
    const consumedBefore = await tg.ledger.consumedCount();
    const auditBefore = await tg.auditCount();
    const decision = await tg.decide(request.bytes);
    expectRefusal(decision.bytes, keys, "HOLD", ["hold_default"], request.requestId);
    await expectUnconsumed(request.nonces);
    expect(await tg.ledger.consumedCount()).toBe(consumedBefore);
    expect(await tg.auditCount()).toBe(auditBefore + 1);
    expect(await newestAudit()).toMatchObject({
      requestId: request.requestId,
      verdict: "HOLD",
      reasons: ["hold_default"],
      action,
      packetId: PACKET_ID,
      permitId: null,
    });
  });

  it("holds without any grant too: the packet alone decides HOLD", async () => {
    const scenario = docs.holdScenario("CUTOVER");
    scenario.grants = [];
    const request = await docs.build(scenario);
    expectRefusal((await tg.decide(request.bytes)).bytes, keys, "HOLD", ["hold_default"], request.requestId);
  });
});

describe("G2-G5: every fully authorised request is allowed exactly once", () => {
  it.each(ACTIONS)(
    "%s: ALLOW, a permit that verifies with jose, nonces consumed, audited; again => replayed",
    async (action) => {
      const request = await docs.authorized(action);
      const consumedBefore = await tg.ledger.consumedCount();
      await expectUnconsumed(request.nonces);

      const decision = await tg.decide(request.bytes);
      expect(decision.verdict.verdict).toBe("ALLOW");
      const permit = await expectPermitFor(expectAllowShape(decision.bytes, request.requestId), keys, {
        requestId: request.requestId,
        action,
        grantIds: request.grantIds,
        issuedAt: BASE_NOW,
      });
      expect(permit.expires_at).toBe(iso(BASE_NOW + 900));
      for (const nonce of request.nonces) expect(await tg.ledger.isConsumed(nonce)).toBe(true);
      expect(await tg.ledger.consumedCount()).toBe(consumedBefore + request.nonces.length);
      expect(await newestAudit()).toMatchObject({
        requestId: request.requestId,
        verdict: "ALLOW",
        reasons: [],
        action,
        packetId: PACKET_ID,
        permitId: permit.permit_id,
      });

      // The very same bytes again: the grants are spent (G5), and the replay is only audited (G8).
      const auditBefore = await tg.auditCount();
      const again = await tg.decide(request.bytes);
      expectRefusal(again.bytes, keys, "DENY", ["replayed"], request.requestId);
      expect(await tg.ledger.consumedCount()).toBe(consumedBefore + request.nonces.length);
      expect(await tg.auditCount()).toBe(auditBefore + 1);
      expect(await newestAudit()).toMatchObject({
        requestId: request.requestId,
        verdict: "DENY",
        reasons: ["replayed"],
        permitId: null,
      });
    },
  );

  it.each(["DRYRUN", "REALRUN_PRECHECK"] as const)(
    "%s is allowed under a stronger option, even with blockers open (G2: at least)",
    async (action) => {
      const scenario = docs.scenario(action);
      scenario.packet.payload = docs.packet({
        selected: "AUTHORIZE_PRODUCTION_EXECUTION",
        blockers: [{ id: "B-9", status: "OPEN", actors: ["owner"], gate: "still open" }],
      });
      const request = await docs.build(scenario);
      expect((await tg.decide(request.bytes)).verdict.verdict).toBe("ALLOW");
    },
  );

  it("REALRUN_PRECHECK is allowed under the precheck option and DRYRUN under it too", async () => {
    const scenario = docs.scenario("DRYRUN");
    scenario.packet.payload["selected"] = "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY";
    const request = await docs.build(scenario);
    expect((await tg.decide(request.bytes)).verdict.verdict).toBe("ALLOW");
  });
});

describe("G5: the permit", () => {
  it("is sealed by the gate key only: it does not verify with the owner's public key", async () => {
    const request = await docs.authorized("CUTOVER");
    const permitJws = expectAllowShape((await tg.decide(request.bytes)).bytes, request.requestId);
    await expect(verifyPermit(permitJws, keys)).resolves.toBeDefined();
    const ownerOnly: TestKeys = { ...keys, publicJwk: () => keys.publicJwk("owner") };
    await expect(verifyPermit(permitJws, ownerOnly)).rejects.toThrow();
  });

  it("lives as long as configured, never more than 15 minutes; each permit has its own id", async () => {
    const short = sibling({ permitLifetimeSeconds: 300 });
    const first = await docs.authorized("PERMIT");
    const second = await docs.authorized("PERMIT");
    const a = await expectPermitFor(
      expectAllowShape((await decideWith(short, first.bytes)).bytes, first.requestId),
      keys,
      {
        requestId: first.requestId,
        action: "PERMIT",
        grantIds: first.grantIds,
        issuedAt: BASE_NOW,
      },
    );
    const b = await expectPermitFor(
      expectAllowShape((await tg.decide(second.bytes)).bytes, second.requestId),
      keys,
      {
        requestId: second.requestId,
        action: "PERMIT",
        grantIds: second.grantIds,
        issuedAt: BASE_NOW,
      },
    );
    expect(a.expires_at).toBe(iso(BASE_NOW + 300));
    expect(b.expires_at).toBe(iso(BASE_NOW + 900));
    expect(a.permit_id).not.toBe(b.permit_id);
    expect(() => sibling({ permitLifetimeSeconds: 901 })).toThrow(FailclosedError);
  });
});

describe("G5: a grant once used never allows again", () => {
  async function allowCutover() {
    const scenario = docs.scenario("CUTOVER");
    const request = await docs.build(scenario);
    expect((await tg.decide(request.bytes)).verdict.verdict).toBe("ALLOW");
    return { scenario, request };
  }

  it("a new request reusing only the spent REAL_RUN grant is replayed; its fresh grant stays unconsumed and usable", async () => {
    const { request: spent } = await allowCutover();
    const fresh = docs.scenario("CUTOVER");
    const freshCutover = fresh.grants[1]!;
    const consumedBefore = await tg.ledger.consumedCount();
    const auditBefore = await tg.auditCount();
    const reuse = docs.requestBytes(
      {
        packet: spent.sealed.packet,
        grants: [spent.sealed.grants[0]!, await docs.seal("grant", freshCutover)],
      },
      "CUTOVER",
      fresh.requestId,
    );
    expectRefusal((await tg.decide(reuse)).bytes, keys, "DENY", ["replayed"], fresh.requestId);
    expect(await tg.ledger.isConsumed(String(freshCutover.payload["nonce"]))).toBe(false);
    expect(await tg.ledger.consumedCount()).toBe(consumedBefore);
    expect(await tg.auditCount()).toBe(auditBefore + 1);

    // Proof that it was untouched: with a fresh REAL_RUN grant it is allowed now.
    const later = await docs.build(fresh);
    expect((await tg.decide(later.bytes)).verdict.verdict).toBe("ALLOW");
  });

  it("a new request reusing only the spent CUTOVER grant is replayed; its fresh REAL_RUN grant stays unconsumed", async () => {
    const { request: spent } = await allowCutover();
    const fresh = docs.scenario("CUTOVER");
    const freshRealRun = fresh.grants[0]!;
    const reuse = docs.requestBytes(
      {
        packet: spent.sealed.packet,
        grants: [await docs.seal("grant", freshRealRun), spent.sealed.grants[1]!],
      },
      "CUTOVER",
      fresh.requestId,
    );
    expectRefusal((await tg.decide(reuse)).bytes, keys, "DENY", ["replayed"], fresh.requestId);
    expect(await tg.ledger.isConsumed(String(freshRealRun.payload["nonce"]))).toBe(false);
  });

  it("the REAL_RUN grant a REAL_RUN used cannot then back an irreversible action", async () => {
    const realRun = await docs.authorized("REAL_RUN");
    expect((await tg.decide(realRun.bytes)).verdict.verdict).toBe("ALLOW");
    const next = docs.scenario("ACTIVATION");
    const bytes = docs.requestBytes(
      {
        packet: realRun.sealed.packet,
        grants: [realRun.sealed.grants[0]!, await docs.seal("grant", next.grants[1]!)],
      },
      "ACTIVATION",
      next.requestId,
    );
    // The packet was sealed for REAL_RUN and is EXECUTION too, so only the spent grant refuses it.
    expectRefusal((await tg.decide(bytes)).bytes, keys, "DENY", ["replayed"], next.requestId);
    expect(await tg.ledger.isConsumed(String(next.grants[1]!.payload["nonce"]))).toBe(false);
  });

  it("a grant that is merely re-serialised (same grant_id and nonce, other bytes) is still spent", async () => {
    const { scenario } = await allowCutover();
    const again = { ...scenario, requestId: `${scenario.requestId}-b` };
    again.grants = scenario.grants.map((g) => ({
      ...g,
      serialize: (p: Record<string, unknown>) => JSON.stringify(p, null, 1),
    }));
    const request = await docs.build(again);
    expectRefusal((await tg.decide(request.bytes)).bytes, keys, "DENY", ["replayed"], again.requestId);
  });
});

describe("G5: the ledger keys on grant_id and on nonce, each alone", () => {
  async function spentGrant() {
    const scenario = docs.scenario("REAL_RUN");
    expect((await tg.decide((await docs.build(scenario)).bytes)).verdict.verdict).toBe("ALLOW");
    return scenario.grants[0]!.payload;
  }

  it("a grant re-issued with the spent grant_id and a new nonce is replayed", async () => {
    const spent = await spentGrant();
    const scenario = docs.scenario("REAL_RUN");
    scenario.grants[0]!.payload["grant_id"] = spent["grant_id"];
    const request = await docs.build(scenario);
    expectRefusal((await tg.decide(request.bytes)).bytes, keys, "DENY", ["replayed"], request.requestId);
    expect(await tg.ledger.isConsumed(request.nonces[0]!)).toBe(false);
  });

  it("a grant re-issued with the spent nonce and a new grant_id is replayed", async () => {
    const spent = await spentGrant();
    const scenario = docs.scenario("REAL_RUN");
    scenario.grants[0]!.payload["nonce"] = spent["nonce"];
    const request = await docs.build(scenario);
    expectRefusal((await tg.decide(request.bytes)).bytes, keys, "DENY", ["replayed"], request.requestId);
  });
});

describe("the G7 oracle itself finds what it looks for", () => {
  it("every encoding of every secret member is caught", () => {
    expect(keys.secrets).toHaveLength(4);
    for (const secret of keys.secrets) {
      const raw = Buffer.from(secret, "base64url");
      const encodings = [
        secret,
        raw.toString("base64"),
        raw.toString("hex"),
        raw.toString("hex").toUpperCase(),
        [...raw].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""),
      ];
      for (const encoded of encodings) expect(() => expectNoSecrets(`{"x":"${encoded}"}`, keys)).toThrow();
      expect(() => expectNoSecrets(Buffer.concat([Buffer.from("{"), raw, Buffer.from("}")]), keys)).toThrow();
    }
    expect(() => expectNoSecrets('{"kind":"verdict"}', keys)).not.toThrow();
  });

  it("a refusal carrying a JWS or an extra member is caught", async () => {
    const request = await docs.authorized("DRYRUN");
    const withJws = JSON.stringify({
      kind: "verdict",
      v: 1,
      verdict: "DENY",
      reasons: ["seal_invalid"],
      request_id: request.sealed.packet,
    });
    expect(() => checkRefusalShape(withJws, keys)).toThrow();
    const extra = JSON.stringify({
      kind: "verdict",
      v: 1,
      verdict: "DENY",
      reasons: ["seal_invalid"],
      detail: "x",
    });
    expect(() => checkRefusalShape(extra, keys)).toThrow();
    const permit = JSON.stringify({
      kind: "verdict",
      v: 1,
      verdict: "HOLD",
      reasons: ["hold_default"],
      permit: "a.b.c",
    });
    expect(() => checkRefusalShape(permit, keys)).toThrow();
  });
});

describe("G6: an exception, a timeout or a failing dependency is a DENY, never a skipped check", () => {
  function ledgerWith(overrides: Partial<Ledger>): Ledger {
    const base = tg.ledger;
    return {
      commitAllow: overrides.commitAllow ?? ((e) => base.commitAllow(e)),
      recordRefusal: overrides.recordRefusal ?? ((e) => base.recordRefusal(e)),
      isConsumed: (n) => base.isConsumed(n),
      consumedCount: () => base.consumedCount(),
      auditEntries: (l) => base.auditEntries(l),
    };
  }

  it("commitAllow throwing: DENY internal_error, nothing consumed", async () => {
    const gate = sibling({
      ledger: ledgerWith({ commitAllow: () => Promise.reject(new Error("ledger exploded")) }),
    });
    const request = await docs.authorized("CUTOVER");
    expectRefusal((await decideWith(gate, request.bytes)).bytes, keys, "DENY", ["internal_error"], undefined);
    await expectUnconsumed(request.nonces);
  });

  it("commitAllow throwing synchronously: DENY internal_error", async () => {
    const gate = sibling({
      ledger: ledgerWith({
        commitAllow: () => {
          throw new TypeError("not even a promise");
        },
      }),
    });
    const request = await docs.authorized("REAL_RUN");
    expectRefusal((await decideWith(gate, request.bytes)).bytes, keys, "DENY", ["internal_error"], undefined);
  });

  it("commitAllow reporting internal_error: DENY internal_error for that request", async () => {
    const gate = sibling({
      ledger: ledgerWith({ commitAllow: () => Promise.resolve(err("internal_error" as const)) }),
    });
    const request = await docs.authorized("REPOINT");
    expectRefusal(
      (await decideWith(gate, request.bytes)).bytes,
      keys,
      "DENY",
      ["internal_error"],
      request.requestId,
    );
    await expectUnconsumed(request.nonces);
  });

  it("recordRefusal throwing: a HOLD and a DENY both become DENY internal_error", async () => {
    const gate = sibling({
      ledger: ledgerWith({ recordRefusal: () => Promise.reject(new Error("audit down")) }),
    });
    const hold = await docs.build(docs.holdScenario("CUTOVER"));
    expectRefusal((await decideWith(gate, hold.bytes)).bytes, keys, "DENY", ["internal_error"], undefined);
    expectRefusal(
      (await decideWith(gate, new Uint8Array(Buffer.from("{")))).bytes,
      keys,
      "DENY",
      ["internal_error"],
      undefined,
    );
  });

  it("recordRefusal reporting failure: a HOLD that cannot be audited is a DENY", async () => {
    const gate = sibling({
      ledger: ledgerWith({ recordRefusal: () => Promise.resolve(err("internal_error" as const)) }),
    });
    const hold = await docs.build(docs.holdScenario("ACTIVATION"));
    expectRefusal(
      (await decideWith(gate, hold.bytes)).bytes,
      keys,
      "DENY",
      ["hold_default", "internal_error"],
      hold.requestId,
    );
    const scenario = docs.scenario("CUTOVER");
    scenario.grants.pop();
    const missing = await docs.build(scenario);
    expectRefusal(
      (await decideWith(gate, missing.bytes)).bytes,
      keys,
      "DENY",
      ["grant_missing", "internal_error"],
      missing.requestId,
    );
  });

  it("a keyring whose get throws: DENY internal_error, nothing consumed", async () => {
    class ExplodingKeyring extends Map<string, KeyEntry> {
      override get(): KeyEntry | undefined {
        throw new Error("keyring lookup failed");
      }
    }
    const gate = createGate({
      keyring: new ExplodingKeyring(keys.keyring),
      ledger: tg.ledger,
      clock: fixedClock(BASE_NOW),
    });
    const request = await docs.authorized("CUTOVER");
    expectRefusal((await decideWith(gate, request.bytes)).bytes, keys, "DENY", ["internal_error"], undefined);
    await expectUnconsumed(request.nonces);
  });

  it("a clock that throws: DENY internal_error", async () => {
    const gate = createGate({
      keyring: keys.keyring,
      ledger: tg.ledger,
      clock: {
        now: () => {
          throw new Error("no time");
        },
      },
    });
    const request = await docs.authorized("CUTOVER");
    expectRefusal((await decideWith(gate, request.bytes)).bytes, keys, "DENY", ["internal_error"], undefined);
    await expectUnconsumed(request.nonces);
  });

  it("a ledger that never answers: DENY internal_error after timeoutMs, for an ALLOW and for a HOLD", async () => {
    const never = (): Promise<never> => new Promise<never>(() => undefined);
    const gate = sibling({ ledger: ledgerWith({ commitAllow: never, recordRefusal: never }), timeoutMs: 50 });
    const request = await docs.authorized("CUTOVER");
    const started = Date.now();
    expectRefusal((await decideWith(gate, request.bytes)).bytes, keys, "DENY", ["internal_error"], undefined);
    const hold = await docs.build(docs.holdScenario("CUTOVER"));
    expectRefusal((await decideWith(gate, hold.bytes)).bytes, keys, "DENY", ["internal_error"], undefined);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expectUnconsumed(request.nonces);
  });

  /**
   * BUG (src/lane/gate/gate.ts, decide): the deadline races the whole decision, commit included.
   * When it fires while commitAllow is in flight, the caller gets DENY internal_error but the
   * abandoned commit goes on: the grants are consumed and the audit log records an ALLOW (with a
   * permit id nobody received) for a request that was refused. G8: a refused request changes
   * nothing but the audit log; and the audit log must say what the caller was told.
   */
  it("a timeout while the commit is in flight leaves the state consistent with the answer", async () => {
    // The real ledger on the same database, its ALLOW transaction slowed down (a loaded
    // server): it commits, but after the gate's deadline.
    const slow = await openLedger(tg.db, {
      hooks: { afterNoncesInserted: () => new Promise<void>((r) => setTimeout(r, 1_500)) },
    });
    // 500 ms is ample for the checks before the commit even on a loaded machine; the commit
    // takes 1.5 s, so the deadline fires while it is in flight.
    const gate = sibling({ ledger: slow, timeoutMs: 500 });
    const request = await docs.authorized("CUTOVER");
    const decision = await decideWith(gate, request.bytes);
    await new Promise((r) => setTimeout(r, 2_000));
    const consumed = await Promise.all(request.nonces.map((n) => tg.ledger.isConsumed(n)));
    const allowEntries = (await tg.ledger.auditEntries(50)).filter(
      (e) => e.requestId === request.requestId && e.verdict === "ALLOW",
    );
    if (decision.verdict.verdict === "ALLOW") {
      expect(consumed).toStrictEqual([true, true]);
      expect(allowEntries).toHaveLength(1);
    } else {
      expect(decision.verdict.reasons).toStrictEqual(["internal_error"]);
      expect(consumed).toStrictEqual([false, false]);
      expect(allowEntries).toHaveLength(0);
    }
  });

  it("a failure between consuming the nonces and writing the audit entry consumes nothing and is DENY", async () => {
    // A second ledger over the same database, whose ALLOW transaction breaks after the nonce insert.
    const broken = await openLedger(tg.db, {
      hooks: { afterNoncesInserted: () => Promise.reject(new Error("crash before the audit entry")) },
    });
    const gate = sibling({ ledger: broken });
    const request = await docs.authorized("CUTOVER");
    const consumedBefore = await tg.ledger.consumedCount();
    const auditBefore = await tg.auditCount();
    expectRefusal(
      (await decideWith(gate, request.bytes)).bytes,
      keys,
      "DENY",
      ["internal_error"],
      request.requestId,
    );
    await expectUnconsumed(request.nonces);
    expect(await tg.ledger.consumedCount()).toBe(consumedBefore);
    // Only the ledger's own DENY entry was written: no ALLOW entry survived the rollback.
    expect(await tg.auditCount()).toBe(auditBefore + 1);
    expect(await newestAudit()).toMatchObject({
      requestId: request.requestId,
      verdict: "DENY",
      reasons: ["internal_error"],
      permitId: null,
    });
    // And the grants are still good: the healthy gate allows the same request.
    expect((await tg.decide(request.bytes)).verdict.verdict).toBe("ALLOW");
  });

  it("refuses to start with a bad configuration or without the keys it needs (S7)", () => {
    for (const skewSeconds of [-1, 1.5, 301]) expect(() => sibling({ skewSeconds })).toThrow(FailclosedError);
    for (const permitLifetimeSeconds of [0, 901])
      expect(() => sibling({ permitLifetimeSeconds })).toThrow(FailclosedError);
    expect(() => sibling({ timeoutMs: 0 })).toThrow(FailclosedError);
    for (const role of ["gate", "owner", "rehearsal"] as const) {
      const without = new Map([...keys.keyring].filter(([, e]) => e.role !== role));
      expect(() => createGate({ keyring: without, ledger: tg.ledger })).toThrow(
        expect.objectContaining({ code: "KEY_MISSING" }) as Error,
      );
    }
    const noGateKey = new Map([...keys.keyring].filter(([, e]) => e.role !== "gate"));
    expect(() => createGate({ keyring: noGateKey, ledger: tg.ledger, gateKid: keys.kid("owner") })).toThrow(
      FailclosedError,
    );
  });
});

describe("G7: malformed input and schema violations", () => {
  const valid = (): Record<string, unknown> => ({
    kind: "action-request",
    v: 1,
    request_id: "req-shape",
    action: "DRYRUN",
    target: "production",
    packet: "aaaaaaaaaa.bbbbbbbbbb.cccccccccc",
    grants: [],
  });
  const text = (doc: unknown): string => JSON.stringify(doc);
  const bytes = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, "utf8"));

  const rows: Array<[string, Uint8Array, GateReason]> = [
    ["bad JSON", bytes('{"kind":"action-request",'), "malformed_input"],
    ["empty body", new Uint8Array(0), "malformed_input"],
    ["trailing garbage", bytes(`${text(valid())}x`), "malformed_input"],
    ["duplicate member", bytes(text(valid()).replace("{", '{"request_id":"req-dup",')), "malformed_input"],
    [
      "duplicate member after unescaping",
      bytes(text(valid()).replace("{", '{"\\u0061ction":"DRYRUN",')),
      "malformed_input",
    ],
    ["byte-order mark", new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(text(valid()))]), "malformed_input"],
    [
      "invalid UTF-8",
      new Uint8Array([...Buffer.from('{"kind":"action-request","x":"'), 0xc3, 0x28, ...Buffer.from('"}')]),
      "malformed_input",
    ],
    ["lone surrogate", bytes(text(valid()).replace('"req-shape"', '"req-\\ud800"')), "malformed_input"],
    ["__proto__ member", bytes(text(valid()).replace("{", '{"__proto__":{},')), "malformed_input"],
    ["number with a fraction", bytes(text(valid()).replace('"v":1', '"v":1.0')), "malformed_input"],
    ["negative zero", bytes(text(valid()).replace('"v":1', '"v":-0')), "malformed_input"],
    ["nesting deeper than 32", bytes(`${"[".repeat(40)}${"]".repeat(40)}`), "malformed_input"],
    ["root is an array", bytes("[]"), "schema_violation"],
    ["unknown member", bytes(text({ ...valid(), extra: "ECHO-CANARY-member" })), "schema_violation"],
    ["missing request_id", bytes(text({ ...valid(), request_id: undefined })), "schema_violation"],
    ["v as a string", bytes(text({ ...valid(), v: "1" })), "schema_violation"],
    [
      "request_id not an identifier",
      bytes(text({ ...valid(), request_id: "-ECHO-CANARY" })),
      "schema_violation",
    ],
    [
      "request_id of 65 characters",
      bytes(text({ ...valid(), request_id: `r${"x".repeat(64)}` })),
      "schema_violation",
    ],
    [
      "grants not an array",
      bytes(text({ ...valid(), grants: "aaaaaaaaaa.bbbbbbbbbb.cccccccccc" })),
      "schema_violation",
    ],
    [
      "nine grants",
      bytes(text({ ...valid(), grants: Array.from({ length: 9 }, (_, i) => `aaaaaaaaa${i}.b.cccccccccc`) })),
      "schema_violation",
    ],
    ["packet not a JWS", bytes(text({ ...valid(), packet: "ECHO-CANARY not a jws" })), "schema_violation"],
    ["action as a list", bytes(text({ ...valid(), action: ["DRYRUN"] })), "schema_violation"],
    [
      "evidence on an action that takes none",
      bytes(text({ ...valid(), evidence: "aaaaaaaaaa.bbbbbbbbbb.cccccccccc" })),
      "schema_violation",
    ],
    ["QT001_APPLY without evidence", bytes(text({ ...valid(), action: "QT001_APPLY" })), "schema_violation"],
    ["a kind of another document", bytes(text({ ...valid(), kind: "verdict" })), "schema_violation"],
  ];

  it.each(rows.map(([name, input, reason]) => ({ name, input, reason })))(
    "$name => DENY $reason without request_id, audited, nothing consumed",
    async ({ input, reason }) => {
      const consumedBefore = await tg.ledger.consumedCount();
      const auditBefore = await tg.auditCount();
      const decision = await tg.decide(input);
      expectRefusal(decision.bytes, keys, "DENY", [reason], undefined);
      // G7: no byte of the input comes back.
      expect(Buffer.from(decision.bytes).toString("utf8")).not.toContain("ECHO-CANARY");
      expect(await tg.ledger.consumedCount()).toBe(consumedBefore);
      expect(await tg.auditCount()).toBe(auditBefore + 1);
      expect(await newestAudit()).toMatchObject({
        requestId: null,
        verdict: "DENY",
        reasons: [reason],
        action: null,
        packetId: null,
      });
    },
  );

  it("a well-formed request echoes its request_id and nothing else of the input", async () => {
    const scenario = docs.scenario("CUTOVER");
    (scenario.packet.payload["blockers"] as Array<Record<string, unknown>>)[0]!["gate"] =
      "ECHO-CANARY in the packet";
    scenario.packet.payload["selected"] = "AUTHORIZE_PRODUCTION_DRYRUN_ONLY";
    const request = await docs.build(scenario);
    const decision = await tg.decide(request.bytes);
    expectRefusal(decision.bytes, keys, "DENY", ["option_forbids"], request.requestId);
    expect(Buffer.from(decision.bytes).toString("utf8")).not.toContain("ECHO-CANARY");
  });
});

describe("grant nonces: base64url of 16 to 64 random bytes, canonical (SPEC section 4)", () => {
  async function withNonce(nonce: string) {
    const scenario = docs.scenario("DRYRUN");
    scenario.grants[0]!.payload["nonce"] = nonce;
    const request = await docs.build(scenario);
    return { request, decision: await tg.decide(request.bytes) };
  }
  const random = (n: number): string => randomBytes(n).toString("base64url");

  it.each([16, 32, 64])("a %i-byte nonce is accepted and consumed", async (n) => {
    const nonce = random(n);
    const { decision } = await withNonce(nonce);
    expect(decision.verdict.verdict).toBe("ALLOW");
    expect(await tg.ledger.isConsumed(nonce)).toBe(true);
  });

  it.each([
    ["15 bytes", () => random(15)],
    ["65 bytes", () => random(65)],
    ["padded", () => `${random(16)}==`],
    ["standard base64 alphabet", () => `+/${random(16).slice(2)}`],
    // 22 characters carry 132 bits for 128: the last character's low bits must be zero.
    [
      "non-canonical trailing bits",
      () => {
        const canonical = random(16);
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        const last = alphabet.indexOf(canonical.at(-1) ?? "A");
        return `${canonical.slice(0, -1)}${alphabet[last | 1] ?? "B"}`;
      },
    ],
  ])("a nonce with %s is a schema violation", async (_name, make) => {
    const { request, decision } = await withNonce(make());
    expectRefusal(decision.bytes, keys, "DENY", ["schema_violation"], request.requestId);
  });
});

describe("R9: clock skew tolerance on not_before and issued_at, none on expiry", () => {
  async function withNotBefore(gate: Gate, offset: number): Promise<GateDecision> {
    const scenario = docs.scenario("REAL_RUN");
    scenario.grants[0]!.payload["not_before"] = iso(BASE_NOW + offset);
    return decideWith(gate, (await docs.build(scenario)).bytes);
  }

  it("skew 0: not_before one second ahead is not yet valid", async () => {
    const strict = sibling({ skewSeconds: 0 });
    expect((await withNotBefore(strict, 0)).verdict.verdict).toBe("ALLOW");
    expect((await withNotBefore(strict, 1)).verdict).toMatchObject({ verdict: "DENY", reasons: ["expired"] });
  });

  it("skew 300 (the maximum): 300 s ahead is fine, 301 s is not", async () => {
    const lenient = sibling({ skewSeconds: 300 });
    expect((await withNotBefore(lenient, 300)).verdict.verdict).toBe("ALLOW");
    expect((await withNotBefore(lenient, 301)).verdict).toMatchObject({
      verdict: "DENY",
      reasons: ["expired"],
    });
  });

  it("expiry gets no tolerance whatever the skew: a grant is dead at its expires_at second", async () => {
    const lenient = sibling({ skewSeconds: 300 });
    const scenario = docs.scenario("REAL_RUN");
    scenario.grants[0]!.payload["not_before"] = iso(BASE_NOW - 3600);
    scenario.grants[0]!.payload["expires_at"] = iso(BASE_NOW);
    const request = await docs.build(scenario);
    expectRefusal(
      (await decideWith(lenient, request.bytes)).bytes,
      keys,
      "DENY",
      ["expired"],
      request.requestId,
    );
  });

  it("the same grants expire as the clock moves on", async () => {
    const request = await docs.authorized("CUTOVER");
    const later = sibling({ now: BASE_NOW + 3600 });
    expectRefusal(
      (await decideWith(later, request.bytes)).bytes,
      keys,
      "DENY",
      ["expired"],
      request.requestId,
    );
    const earlier = sibling({ now: BASE_NOW - 3600 });
    // Issued an hour after this clock's now: the packet is from the future.
    expectRefusal(
      (await decideWith(earlier, request.bytes)).bytes,
      keys,
      "DENY",
      ["expired"],
      request.requestId,
    );
    expect((await tg.decide(request.bytes)).verdict.verdict).toBe("ALLOW");
  });
});

describe("every action is covered", () => {
  it("ACTIONS has the eight actions of SPEC section 4", () => {
    const expected: Action[] = [
      "DRYRUN",
      "REALRUN_PRECHECK",
      "REAL_RUN",
      "QT001_APPLY",
      "PERMIT",
      "ACTIVATION",
      "REPOINT",
      "CUTOVER",
    ];
    expect([...ACTIONS]).toStrictEqual(expected);
  });
});
