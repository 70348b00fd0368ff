import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { authorizedParts, authorizedRequest } from "../src/fuzz/craft/authorized.js";
import { renderMutated } from "../src/fuzz/craft/json-render.js";
import { sealAs } from "../src/fuzz/craft/seal.js";
import { validPacket } from "../src/fuzz/craft/documents.js";
import { deriveKeyringUnderTest } from "../src/fuzz/keyring/under-test.js";
import type { FamilyContext } from "../src/fuzz/types.js";
import { openDatabase, type DatabaseLocation } from "../src/lane/db/open.js";
import type { SqlDatabase } from "../src/lane/db/session.js";
import { fixedClock } from "../src/kernel/clock.js";
import { createGate, type Gate } from "../src/lane/gate/gate.js";
import { openLedger } from "../src/lane/gate/ledger/ledger.js";
import { familyContext } from "../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../src/fuzz/engine/seed-corpus.js";
import pg from "pg";
import type { BenchPair, BenchSuite } from "./harness.js";

const NOW = 1_781_265_600;
const SALT = "bench-gate";
const SERVER = process.env.FAILCLOSED_BENCH_DATABASE_URL;

/**
 * Decisions per second beside the crypto-only limit for the same seals: the Ed25519 verifications
 * the decision cannot avoid (a forged packet: 1; a HOLD or an ALLOW: the packet and its two
 * grants, as authorize() verifies every seal before it reads the option), done straight with
 * node:crypto.
 *
 * Sequential rows decide one request at a time against verifications one at a time on the main
 * thread. Concurrent rows keep 32 decisions in flight (what a served gate sees, and what lets
 * refusals share their audit INSERT: group commit) against the same verifications 32 in flight
 * on node:crypto's thread pool, so both sides may use both cores.
 *
 * Issue #17's goal: decisions >= 0.3 of the verifications they need, on PGlite and PostgreSQL.
 */
const GOAL = 0.3;
const IN_FLIGHT = 32;
let cleanup: Array<() => Promise<void>> = [];

function publicKeyOf(ctx: FamilyContext, role: "owner"): KeyObject {
  const entry = ctx.keyring.get(ctx.kids[role]);
  if (entry?.publicJwk === undefined) throw new Error("no public key");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: entry.publicJwk.x }, format: "jwk" });
}

interface SigningInput {
  readonly input: Buffer;
  readonly signature: Buffer;
}

function signingInputs(jws: readonly string[]): SigningInput[] {
  return jws.map((token) => {
    const [h = "", p = "", s = ""] = token.split(".");
    return { input: Buffer.from(`${h}.${p}`), signature: Buffer.from(s, "base64url") };
  });
}

async function gateOn(
  location: DatabaseLocation,
  ctx: FamilyContext,
): Promise<{ gate: Gate; db: SqlDatabase }> {
  const db = await openDatabase(location);
  const gate = createGate({
    keyring: ctx.keyring,
    ledger: await openLedger(db),
    clock: fixedClock(NOW),
    gateKid: ctx.kids.gate,
  });
  return { gate, db };
}

async function scratchServerDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  if (SERVER === undefined || SERVER === "") return undefined;
  const name = `fc_bench_gate_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: SERVER });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await again.end();
    },
  };
}

/** The verifications one decision needs, one after the other on the main thread. */
function verifyInline(key: KeyObject, seals: readonly SigningInput[]): () => void {
  return () => {
    for (const s of seals) verify(null, s.input, key, s.signature);
  };
}

/** The same verifications for IN_FLIGHT decisions at once, on node:crypto's thread pool. */
function verifyInFlight(key: KeyObject, seals: readonly SigningInput[]): () => Promise<unknown> {
  const one = (s: SigningInput) =>
    new Promise<boolean>((resolve, reject) =>
      verify(null, s.input, key, s.signature, (error, valid) => (error ? reject(error) : resolve(valid))),
    );
  return () => Promise.all(Array.from({ length: IN_FLIGHT }, () => Promise.all(seals.map(one))));
}

type Expected = "ALLOW" | "HOLD" | "DENY";

/** One decision, checked: a row that stopped measuring what it names fails the run. */
async function decideAs(gate: Gate, bytes: Uint8Array, expected: Expected): Promise<void> {
  const { verdict } = await gate.decide(bytes);
  if (verdict.verdict !== expected)
    throw new Error(
      `bench: expected ${expected}, the gate answered ${verdict.verdict} ${verdict.reasons.join(",")}`,
    );
}

function inFlight(next: () => Promise<void>): () => Promise<unknown> {
  return () => Promise.all(Array.from({ length: IN_FLIGHT }, next));
}

export const suite: BenchSuite = {
  name: "gate",
  async pairs() {
    const kut = await deriveKeyringUnderTest(SALT);
    const ctx: FamilyContext = familyContext(kut, NOW, SALT, await loadSeedCorpus());
    const owner = publicKeyOf(ctx, "owner");
    // A forged packet: signed by the stranger's owner key under the real owner kid.
    const held = await authorizedRequest(ctx, {
      ...authorizedParts(ctx, "hold", "CUTOVER"),
      packet: validPacket(ctx, "HOLD_PRODUCTION"),
    });
    const strangerOwner = [...ctx.strangerKeyring.values()].find((k) => k.role === "owner");
    if (strangerOwner === undefined) throw new Error("no stranger owner key");
    const forgedPacket = await (async () => {
      const real = held.packet.split(".");
      const fake = await sealAs(
        { ...ctx, keyring: ctx.strangerKeyring, kids: { ...ctx.kids, owner: strangerOwner.kid } },
        "owner",
        "decision-packet",
        validPacket(ctx, "AUTHORIZE_PRODUCTION_EXECUTION"),
      );
      return `${real[0]}.${fake.split(".")[1]}.${fake.split(".")[2]}`;
    })();
    const forgedBytes = renderMutated({ ...held, packet: forgedPacket }, []);
    const holdBytes = renderMutated(held, []);
    // ALLOWs need fresh grants every time: prepared ahead, one per operation, per database.
    let allowSerial = 0;
    async function freshAllows(count: number): Promise<() => Uint8Array> {
      const prepared: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        allowSerial += 1;
        const parts = authorizedParts(ctx, `allow-${allowSerial}`, "CUTOVER");
        prepared.push(renderMutated(await authorizedRequest(ctx, parts), []));
      }
      let next = 0;
      return () => {
        const bytes = prepared[next++];
        if (bytes === undefined) throw new Error("bench: ran out of fresh ALLOW requests");
        return bytes;
      };
    }
    const allowSeals = signingInputs([
      held.packet,
      ...(await authorizedRequest(ctx, authorizedParts(ctx, "seals", "CUTOVER"))).grants,
    ]);
    const forgedSeal = signingInputs([held.packet]);
    // The HOLD request carries its two grants too, and they are verified before the HOLD is read.
    const holdSeals = signingInputs([held.packet, ...held.grants]);
    if (holdSeals.length !== 3) throw new Error("bench: the HOLD request should carry two grants");

    const locations: Array<{ name: string; location: DatabaseLocation }> = [
      { name: "PGlite", location: { engine: "pglite" } },
    ];
    const server = await scratchServerDatabase();
    if (server !== undefined) {
      locations.push({ name: "PostgreSQL", location: { engine: "postgres", url: server.url } });
      cleanup.push(server.drop);
    }
    const pairs: BenchPair[] = [];
    for (const { name, location } of locations) {
      const { gate, db } = await gateOn(location, ctx);
      cleanup.unshift(() => db.close());
      // Sequential ALLOW: 25 warm-up + 5 rounds of 100; concurrent: (2 warm-up + 5 rounds of 8) x 32.
      const sequentialAllow = await freshAllows(525);
      const concurrentAllow = await freshAllows(42 * IN_FLIGHT);
      const oneVerify = "1 Ed25519 verify (node:crypto)";
      const threeVerifies = "3 Ed25519 verifies (node:crypto)";
      pairs.push(
        {
          group: `gate on ${name}: forged packet (denied at the seal)`,
          subject: { name: "decide, one at a time", fn: () => decideAs(gate, forgedBytes, "DENY") },
          limit: { name: oneVerify, fn: verifyInline(owner, forgedSeal) },
          opsPerRound: 300,
          goal: GOAL,
        },
        {
          group: `gate on ${name}: HOLD`,
          subject: { name: "decide, one at a time", fn: () => decideAs(gate, holdBytes, "HOLD") },
          limit: { name: threeVerifies, fn: verifyInline(owner, holdSeals) },
          opsPerRound: 300,
          goal: GOAL,
        },
        {
          group: `gate on ${name}: ALLOW (CUTOVER, fresh grants)`,
          subject: {
            name: "decide, one at a time",
            fn: () => decideAs(gate, sequentialAllow(), "ALLOW"),
          },
          limit: { name: threeVerifies, fn: verifyInline(owner, allowSeals) },
          opsPerRound: 100,
          rounds: 5,
          goal: GOAL,
        },
        {
          group: `gate on ${name}: forged packet (denied at the seal)`,
          subject: {
            name: `decide, ${IN_FLIGHT} in flight`,
            fn: inFlight(() => decideAs(gate, forgedBytes, "DENY")),
          },
          limit: { name: `${oneVerify}, ${IN_FLIGHT} in flight`, fn: verifyInFlight(owner, forgedSeal) },
          opsPerRound: 20,
          unitsPerOp: IN_FLIGHT,
          goal: GOAL,
        },
        {
          group: `gate on ${name}: HOLD`,
          subject: {
            name: `decide, ${IN_FLIGHT} in flight`,
            fn: inFlight(() => decideAs(gate, holdBytes, "HOLD")),
          },
          limit: { name: `${threeVerifies}, ${IN_FLIGHT} in flight`, fn: verifyInFlight(owner, holdSeals) },
          opsPerRound: 20,
          unitsPerOp: IN_FLIGHT,
          goal: GOAL,
        },
        {
          group: `gate on ${name}: ALLOW (CUTOVER, fresh grants)`,
          subject: {
            name: `decide, ${IN_FLIGHT} in flight`,
            fn: inFlight(() => decideAs(gate, concurrentAllow(), "ALLOW")),
          },
          limit: { name: `${threeVerifies}, ${IN_FLIGHT} in flight`, fn: verifyInFlight(owner, allowSeals) },
          opsPerRound: 8,
          rounds: 5,
          unitsPerOp: IN_FLIGHT,
          goal: GOAL,
        },
      );
    }
    return pairs;
  },
  async teardown() {
    for (const close of cleanup) await close().catch(() => undefined);
    cleanup = [];
  },
};
