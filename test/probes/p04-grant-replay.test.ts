import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family } from "../../probes/p04-grant-replay.js";
import { planReplay as plan } from "../../src/index.js";
import { canariesFromJwks } from "../../src/fuzz/canary/index.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "../../src/fuzz/keyring/under-test.js";
import { runFamily } from "../../src/fuzz/engine/run-family.js";
import { sealedByKeyring } from "../../src/fuzz/engine/sealed-by.js";
import { ORACLES } from "../../src/fuzz/oracles/index.js";
import type { FamilyContext, Outcome, Target } from "../../src/fuzz/types.js";
import { openPglite } from "../../src/lane/db/pglite.js";
import type { SqlDatabase } from "../../src/lane/db/session.js";
import { fixedClock } from "../../src/kernel/clock.js";
import { createGate } from "../../src/lane/gate/gate.js";
import { openLedger } from "../../src/lane/gate/ledger/ledger.js";
import { familyContext } from "../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../src/fuzz/engine/seed-corpus.js";
import type { Ledger } from "../../src/lane/gate/ledger/types.js";
import { ok } from "../../src/kernel/result.js";
import { checkThenInsertLedger } from "../../src/fuzz/calibrate/flaws/p04-check-then-insert-ledger.js";

const NOW = 1_781_265_600;
const SALT = "p04-test";
let kut: KeyringUnderTest;
let ctx: FamilyContext;
let db: SqlDatabase;

const NO_CHANNELS = { stdout: "", stderr: "", files: new Map<string, Uint8Array>(), rows: [] };

/** The gate in process as a fuzz target, with its ledger's count as the state F3 watches. */
function gateTarget(ledger: Ledger): Target {
  const gate = createGate({ keyring: kut.keyring, ledger, clock: fixedClock(NOW), gateKid: kut.kids.gate });
  return {
    name: "gate in process",
    operations: ["decide"],
    async fire(_op, bytes): Promise<Outcome> {
      const started = Date.now();
      const decision = await gate.decide(bytes);
      return {
        kind: "responded",
        elapsedMs: Date.now() - started,
        headers: {},
        body: decision.bytes,
        channels: NO_CHANNELS,
      };
    },
    state: async () => ({ consumedNonces: await ledger.consumedCount() }),
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** A realistic flaw: a ledger that records decisions but never remembers a spent grant. */
function forgetfulLedger(real: Ledger): Ledger {
  return {
    ...real,
    commitAllow: () => Promise.resolve(ok(undefined)),
    consumedCount: () => Promise.resolve(0),
    isConsumed: () => Promise.resolve(false),
  };
}

function run(target: Target) {
  return runFamily({
    family: family,
    ctx,
    fire: {
      target,
      oracles: ORACLES,
      timeoutMs: 10_000,
      canaries: canariesFromJwks(kut.jwkSets),
      sealedBy: sealedByKeyring(kut.keyring),
    },
    seed: 7,
    runs: 60,
    floor: 60,
    budgetMs: 60_000,
    concurrency: 1,
    signal: new AbortController().signal,
    emit: () => Promise.resolve(),
    versions: { failclosed: "test", node: process.version, fastCheck: "test" },
  });
}

beforeAll(async () => {
  kut = await deriveKeyringUnderTest(SALT);
  ctx = familyContext(kut, NOW, SALT, await loadSeedCorpus());
  db = await openPglite();
});

afterAll(async () => {
  await db.close();
});

describe("P04 grant-replay: the model", () => {
  it("a first spend is a setup, any reuse an attack, a resend only of what was allowed", () => {
    const planned = plan([
      { kind: "spend", pair: 0 },
      { kind: "spend", pair: 0 },
      { kind: "mix", realRunOf: 0, actionOf: 1 },
      { kind: "race", pair: 1, copies: 4 },
      { kind: "resend", step: 0 },
      { kind: "resend", step: 1 },
    ]);
    expect(planned.map((p) => p.kind)).toEqual(["setup", "attack", "attack", "race", "resend"]);
  });

  it("every generated scenario that is fired breaks G5, and renders the same bytes twice", async () => {
    let fired = 0;
    for (const value of fc.sample(family.arbitrary(ctx), { numRuns: 60, seed: 3 })) {
      const broken = family.breaks(value, ctx);
      if (broken === undefined) continue;
      fired++;
      expect(broken).toMatch(/^G[58]: /);
      expect(Buffer.from(await family.render(value, ctx))).toEqual(
        Buffer.from(await family.render(value, ctx)),
      );
    }
    expect(fired).toBeGreaterThan(20);
  });
});

describe("P04 grant-replay: against gates", () => {
  it("closes on the reference gate", async () => {
    const result = await run(gateTarget(await openLedger(db)));
    expect(result.findings).toEqual([]);
    expect(result.status).toEqual({ kind: "closed" });
  });

  it("finds a ledger that forgets spent grants, and the finding keeps every step", async () => {
    const result = await run(gateTarget(forgetfulLedger(await openLedger(db))));
    expect(result.status).toEqual({ kind: "finding" });
    const finding = result.findings[0];
    expect(finding?.family).toBe("P04");
    expect(finding?.confirmation).toBe("confirmed");
    expect(finding?.steps?.length).toBeGreaterThanOrEqual(2);
  });

  it("finds a ledger that checks for a spent nonce and then inserts, by a race alone (double spend)", async () => {
    const result = await run(gateTarget(checkThenInsertLedger(await openLedger(db))));
    expect(result.status).toEqual({ kind: "finding" });
    const finding = result.findings[0];
    expect(finding?.oracle).toBe("double-spend");
    expect(["confirmed", "flaky"]).toContain(finding?.confirmation);
    expect(finding?.steps?.some((step) => step.kind === "race")).toBe(true);
  });
});
