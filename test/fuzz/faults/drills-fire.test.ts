/**
 * Must fire: flaws that only a provoked fault shows, planted in the reference gate and lane, each
 * judged by the oracles as a run judges a drill (F1, F2, F4); and, beside each, the shipped
 * component under the same fault and bytes, which must stay quiet (whole runs: drills-runs.test.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyringJsonParse } from "../../../src/fuzz/calibrate/flaws/d01-keyring-json-parse.js";
import { ledgerErrorsSwallowed } from "../../../src/fuzz/calibrate/flaws/d01-ledger-errors-swallowed.js";
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { sealedByKeyring } from "../../../src/fuzz/engine/sealed-by.js";
import { faultsFor, type FaultName } from "../../../src/fuzz/faults/catalogue.js";
import { FailclosedError } from "../../../src/kernel/errors.js";
import { judgeAll, oracleInput } from "../../../src/fuzz/oracles/judge.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import { openReferenceTarget, type ReferenceComponents } from "../../../src/fuzz/targets/reference.js";
import type { Judgement, Operation, Target } from "../../../src/fuzz/types.js";
import { loadKeyring, type WrapLedger } from "../../../src/lane/index.js";
import {
  makeFixtureKeyring,
  gateSecret,
  type FixtureKeyring,
} from "../../fixtures/broken-targets/keyring.js";
import { BASE_NOW, Docs, fixedClock, keysFromSets } from "../../support/gate-fixtures.js";

let workDir: string;
let keyring: FixtureKeyring;
let docs: Docs;
let canaries: readonly string[];
/** The shipped reference lane, opened once: every must-stay-quiet case fires at it. */
let shipped: Target;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "failclosed-drills-fire-"));
  keyring = await makeFixtureKeyring();
  docs = new Docs(await keysFromSets(keyring.sets, true), BASE_NOW);
  canaries = canariesFromJwks(keyring.sets);
  shipped = await openReferenceTarget({
    keyringSources: keyring.sources,
    clock: fixedClock(BASE_NOW),
    workDir,
    testMode: true,
  });
}, 120_000);
afterAll(async () => {
  await shipped.close();
  await rm(workDir, { recursive: true, force: true });
});

async function withReference<T>(
  components: ReferenceComponents,
  use: (target: Target) => Promise<T>,
): Promise<T> {
  const target = await openReferenceTarget({
    keyringSources: keyring.sources,
    clock: fixedClock(BASE_NOW),
    workDir,
    testMode: true,
    components,
  });
  try {
    return await use(target);
  } finally {
    await target.close();
  }
}

/** Fires `bytes` under `fault` and judges the outcome as a run judges a drill: an attack. */
async function drill(
  target: Target,
  fault: FaultName,
  operation: Operation,
  bytes: Uint8Array,
): Promise<Judgement> {
  const outcome = await target.fireUnderFault?.(fault, operation, bytes, 30_000);
  if (outcome === undefined) throw new Error("the reference target cannot fire under a fault");
  const probe = {
    family: "D01",
    operation,
    role: "attack" as const,
    bytes,
    seed: 1,
    description: fault,
    rule: fault,
  };
  return judgeAll(
    ORACLES,
    oracleInput({
      probe,
      expectation: "attack",
      outcome,
      canaries,
      sealedBy: sealedByKeyring(docs.keys.keyring),
    }),
  );
}

const control = async (): Promise<Uint8Array> => (await docs.authorized("DRYRUN")).bytes;
const attack = new TextEncoder().encode('{"kind":"action-request","v":1,"kind":"x"}');

/** A gate whose ledger error handler prints what it holds: here, its own key. */
const printsKeyOnFailure =
  (secret: string): WrapLedger =>
  (real) => ({
    commitAllow: (entry, c) =>
      real.commitAllow(entry, c).catch((error: unknown) => {
        console.error(`ledger failed (${String(error)}); gate signing key ${secret}`);
        throw error;
      }),
    recordRefusal: (entry) =>
      real.recordRefusal(entry).catch((error: unknown) => {
        console.error(`ledger failed (${String(error)}); gate signing key ${secret}`);
        throw error;
      }),
    isConsumed: (nonce) => real.isConsumed(nonce),
    consumedCount: () => real.consumedCount(),
    auditEntries: (limit) => real.auditEntries(limit),
  });

/** A gate that logs the driver's error object as it is: its stack and all. */
function logged(error: unknown): never {
  console.error(error);
  throw error;
}
const printsStack: WrapLedger = (real) => ({
  commitAllow: (entry, c) => real.commitAllow(entry, c).catch(logged),
  recordRefusal: (entry) => real.recordRefusal(entry).catch(logged),
  isConsumed: (nonce) => real.isConsumed(nonce),
  consumedCount: () => real.consumedCount(),
  auditEntries: (limit) => real.auditEntries(limit),
});

/** A keyring loader whose parse error quotes the file it could not read. */
const quotesKeyring: ReferenceComponents["loadKeyring"] = async (paths, options) => {
  try {
    return await loadKeyring(paths, options);
  } catch (error) {
    const { readFile } = await import("node:fs/promises");
    const text = await readFile(paths[0] ?? "", "utf8").catch(() => "");
    throw new FailclosedError("KEYRING_INVALID", `cannot load the keyring: ${String(error)}: ${text}`);
  }
};

describe("fault drills fire on flawed components and stay quiet on the shipped ones", () => {
  it("F1: a gate that swallows ledger errors allows a request while its ledger is down", async () => {
    const bytes = await control();
    const flawed = await withReference({ gate: { ledger: ledgerErrorsSwallowed } }, (t) =>
      drill(t, "ledger-unavailable", "decide", bytes),
    );
    expect(flawed).toMatchObject({ kind: "fail", oracle: { name: "verdict" } });
    expect(await drill(shipped, "ledger-unavailable", "decide", bytes)).toEqual({ kind: "pass" });
  }, 120_000);

  it("F2: a gate that prints its key when the ledger fails mid-decision leaks through stderr", async () => {
    const bytes = await control();
    const flawed = await withReference(
      { gate: { ledger: printsKeyOnFailure(gateSecret(keyring.sources)) } },
      async (t) => [
        await drill(t, "ledger-fails-mid-decision", "decide", bytes),
        await drill(t, "ledger-unavailable", "decide", attack),
      ],
    );
    for (const judgement of flawed)
      expect(judgement).toMatchObject({
        kind: "fail",
        oracle: { name: "leak" },
        reason: expect.stringMatching(/in stderr$/) as unknown,
      });
    expect(await drill(shipped, "ledger-fails-mid-decision", "decide", bytes)).toEqual({ kind: "pass" });
  }, 120_000);

  it("F4: a gate that prints the driver's error with its stack", async () => {
    const flawed = await withReference({ gate: { ledger: printsStack } }, (t) =>
      drill(t, "ledger-unavailable", "decide", attack),
    );
    expect(flawed).toMatchObject({
      kind: "fail",
      oracle: { name: "structured" },
      reason: "stack trace in what it printed (stderr)",
    });
  }, 120_000);

  it("F2, S7: a keyring loader whose error quotes the keyring's bytes, for the gate and the lane", async () => {
    const judged = await withReference({ loadKeyring: quotesKeyring }, async (t) => [
      await drill(t, "keyring-malformed", "decide", attack),
      await drill(t, "keyring-malformed", "rehearse", attack),
    ]);
    for (const judgement of judged)
      expect(judgement).toMatchObject({ kind: "fail", oracle: { name: "leak" } });
  }, 120_000);

  it("S7, F4: a keyring read with JSON.parse stops the component with a bare SyntaxError", async () => {
    const judged = await withReference({ loadKeyring: keyringJsonParse }, (t) =>
      drill(t, "keyring-malformed", "decide", attack),
    );
    expect(judged).toMatchObject({
      kind: "fail",
      oracle: { name: "structured" },
      reason: expect.stringMatching(/SyntaxError/) as unknown,
    });
  }, 120_000);

  it("S7: a loader that accepts a key of the wrong role lets the gate start", async () => {
    // Every key relabelled as what the gate asks for: the classic "role is advisory" loader.
    const roleBlind: ReferenceComponents["loadKeyring"] = async (paths, options) => {
      const loaded = await loadKeyring(paths, options);
      return new Map(
        [...loaded].map(([kid, entry]) => [
          kid,
          entry.signKey === undefined ? entry : { ...entry, role: "gate" as const },
        ]),
      );
    };
    const judged = await withReference({ loadKeyring: roleBlind }, (t) =>
      drill(t, "keyring-wrong-role", "decide", attack),
    );
    expect(judged).toMatchObject({
      kind: "fail",
      oracle: { name: "structured" },
      reason: expect.stringMatching(/started/) as unknown,
    });
  }, 120_000);

  it("property: under every gate fault and start fault, the shipped gate refuses any bytes, quietly", async () => {
    const bytes = await control();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...faultsFor("decide")),
        fc.oneof(fc.constant(bytes), fc.constant(attack), fc.uint8Array({ maxLength: 64 })),
        async (fault, fired) => {
          expect(await drill(shipped, fault, "decide", fired)).toEqual({ kind: "pass" });
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
