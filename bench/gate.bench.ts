import { randomBytes, verify, type KeyObject } from "node:crypto";
import { createPublicKey } from "node:crypto";
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
 * the decision cannot avoid (a forged packet: 1; a HOLD: the packet; an ALLOW: packet and two
 * grants), done straight with node:crypto.
 */
let cleanup: Array<() => Promise<void>> = [];

function publicKeyOf(ctx: FamilyContext, role: "owner"): KeyObject {
  const entry = ctx.keyring.get(ctx.kids[role]);
  if (entry?.publicJwk === undefined) throw new Error("no public key");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: entry.publicJwk.x }, format: "jwk" });
}

function signingInputs(jws: readonly string[]): Array<{ input: Buffer; signature: Buffer }> {
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
    // ALLOWs need fresh grants every time: prepared ahead, one per operation.
    let allowIndex = 0;
    const allows: Uint8Array[] = [];
    for (let i = 0; i < 2_500; i++)
      allows.push(
        renderMutated(await authorizedRequest(ctx, authorizedParts(ctx, `allow-${i}`, "CUTOVER")), []),
      );
    const allowSeals = signingInputs([
      held.packet,
      ...(await authorizedRequest(ctx, authorizedParts(ctx, "seals", "CUTOVER"))).grants,
    ]);
    const holdSeal = signingInputs([held.packet]);
    const crypto = (seals: Array<{ input: Buffer; signature: Buffer }>) => () => {
      for (const s of seals) verify(null, s.input, owner, s.signature);
    };

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
      pairs.push(
        {
          group: `gate on ${name}: forged packet (denied at the seal)`,
          subject: { name: "decide", fn: () => gate.decide(forgedBytes) },
          limit: { name: "1 Ed25519 verify (node:crypto)", fn: crypto(holdSeal) },
          opsPerRound: 300,
        },
        {
          group: `gate on ${name}: HOLD`,
          subject: { name: "decide", fn: () => gate.decide(holdBytes) },
          limit: { name: "1 Ed25519 verify (node:crypto)", fn: crypto(holdSeal) },
          opsPerRound: 300,
        },
        {
          group: `gate on ${name}: ALLOW (CUTOVER, fresh grants)`,
          subject: {
            name: "decide",
            fn: () => gate.decide(allows[allowIndex++ % allows.length] ?? holdBytes),
          },
          limit: { name: "3 Ed25519 verifies (node:crypto)", fn: crypto(allowSeals) },
          opsPerRound: 100,
          rounds: 5,
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
