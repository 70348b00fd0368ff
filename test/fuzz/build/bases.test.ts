/**
 * Packet bases: whatever a family starts from (the built-in packet, a corpus seed, a packet drawn
 * from the schema), the authorised request built on it is allowed by the reference gate, keeps
 * the base's structure, and decodes. An attack on a base the gate refused would pass for the
 * wrong reason, so this is the must-stay-quiet half of every gate family.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUILTIN_BASE,
  authorizedPacket,
  authorizedParts,
  authorizedRequest,
  describeBase,
  packetBases,
  renderMutated,
  validPacket,
  type PacketBase,
} from "../../../src/index.js";
import { familyContext } from "../../../src/fuzz/engine/family-context.js";
import { deriveKeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import { loadSeedCorpus } from "../../../src/fuzz/engine/seed-corpus.js";
import type { FamilyContext } from "../../../src/fuzz/types.js";
import { ACTIONS, decodeDocument, encodeDocument, timestampSeconds } from "../../../src/lane/codec/index.js";
import type { SqlDatabase } from "../../../src/lane/db/session.js";
import { openPglite } from "../../../src/lane/db/pglite.js";
import { fixedClock } from "../../../src/kernel/clock.js";
import { createGate, type Gate } from "../../../src/lane/gate/gate.js";
import { openLedger } from "../../../src/lane/gate/ledger/ledger.js";

const NOW = timestampSeconds("2030-01-15T12:00:00Z");
const SALT = "bases-test";

let ctx: FamilyContext;
let gate: Gate;
let db: SqlDatabase;

beforeAll(async () => {
  const kut = await deriveKeyringUnderTest(SALT);
  ctx = familyContext(kut, NOW, SALT, await loadSeedCorpus());
  db = await openPglite();
  gate = createGate({ keyring: kut.keyring, ledger: await openLedger(db), clock: fixedClock(NOW) });
});

afterAll(async () => {
  await db.close();
});

async function verdictOn(base: PacketBase, label: string, action: (typeof ACTIONS)[number]): Promise<string> {
  const request = await authorizedRequest(ctx, authorizedParts(ctx, label, action, base));
  const decision = await gate.decide(renderMutated(request, []));
  return decision.verdict.verdict === "ALLOW"
    ? "ALLOW"
    : `${decision.verdict.verdict} ${(decision.verdict.reasons ?? []).join(",")}`;
}

describe("every base is allowed once authorised", () => {
  it("every seed of the shipped corpus, for every action", async () => {
    expect(ctx.corpus.packets.length).toBeGreaterThan(0);
    for (const seed of ctx.corpus.packets) {
      const base: PacketBase = {
        source: "corpus",
        family: seed.family,
        seed: seed.name,
        packet: seed.packet,
      };
      for (const action of ACTIONS) {
        expect({
          seed: describeBase(base),
          action,
          verdict: await verdictOn(base, `seed:${seed.family}/${seed.name}:${action}`, action),
        }).toEqual({
          seed: describeBase(base),
          action,
          verdict: "ALLOW",
        });
      }
    }
  });

  it("every drawn base (built in, seed or schema-generated), for any action", async () => {
    const sources = new Set<string>();
    // A fresh label for every request: grants are single-use, a repeated label would be a replay.
    let drawn = 0;
    await fc.assert(
      fc.asyncProperty(packetBases(ctx), fc.constantFrom(...ACTIONS), async (base, action) => {
        sources.add(base.source);
        expect(await verdictOn(base, `drawn:${drawn++}`, action), describeBase(base)).toBe("ALLOW");
      }),
      { numRuns: 120, seed: 4_242 },
    );
    expect(sources).toEqual(new Set(["builtin", "corpus", "schema"]));
  });
});

describe("authorizedPacket", () => {
  const TREE = "a".repeat(64);

  it("keeps the base's structure and re-makes only its authority", () => {
    fc.assert(
      fc.property(packetBases(ctx), (base) => {
        const packet = authorizedPacket(ctx, base, [TREE]);
        expect(decodeDocument("decision-packet", encodeDocument("decision-packet", packet)).ok).toBe(true);
        expect(packet.selected).toBe("AUTHORIZE_PRODUCTION_EXECUTION");
        expect(packet.blockers.every((b) => b.status === "DISCHARGED")).toBe(true);
        expect(packet.evidence).toContain(TREE);
        expect(timestampSeconds(packet.issued_at)).toBeLessThanOrEqual(NOW);
        expect(timestampSeconds(packet.expires_at)).toBeGreaterThan(NOW);
        if (base.source !== "builtin") {
          expect(packet.packet_id).toBe(base.packet.packet_id);
          const shape = (b: { id: string; actors: readonly string[]; gate: string }) => [
            b.id,
            b.actors,
            b.gate,
          ];
          expect(packet.blockers.map(shape)).toEqual(base.packet.blockers.map(shape));
        }
      }),
      { numRuns: 200, seed: 99 },
    );
  });

  it("never grows the evidence list past the schema's 64 entries, and keeps the request's tree", () => {
    const full = Array.from({ length: 64 }, (_, i) => i.toString(16).padStart(64, "0"));
    const base: PacketBase = {
      source: "schema",
      packet: { ...authorizedPacket(ctx, BUILTIN_BASE, []), evidence: full },
    };
    const packet = authorizedPacket(ctx, base, [TREE]);
    expect(packet.evidence).toHaveLength(64);
    expect(packet.evidence.at(-1)).toBe(TREE);
    expect(decodeDocument("decision-packet", encodeDocument("decision-packet", packet)).ok).toBe(true);
  });

  it("gives the built-in base the built-in packet, as it was before bases existed", () => {
    const parts = authorizedParts(ctx, "label", "CUTOVER");
    const before = validPacket(ctx, "AUTHORIZE_PRODUCTION_EXECUTION");
    expect(encodeDocument("decision-packet", parts.packet)).toEqual(
      encodeDocument("decision-packet", before),
    );
    expect(parts.grants.every((g) => g.packet_id === parts.packet.packet_id)).toBe(true);
  });
});

describe("packetBases", () => {
  it("draws a family's own seeds only, and the built-in packet first for shrinking", () => {
    const drawn = fc.sample(packetBases(ctx, "P06"), { numRuns: 300, seed: 7 });
    const families = new Set(drawn.flatMap((b) => (b.source === "corpus" ? [b.family] : [])));
    expect(families).toEqual(new Set(["P06"]));
    const shrunk: PacketBase[] = [];
    fc.check(
      fc.property(packetBases(ctx, "P06"), (base) => {
        shrunk.push(base);
        return base.source === "builtin";
      }),
      { seed: 7, numRuns: 300 },
    );
    expect(shrunk.some((b) => b.source !== "builtin")).toBe(true);
  });

  it("without seeds for the family, draws only built-in and schema-generated bases", () => {
    const drawn = fc.sample(packetBases(ctx, "P03"), { numRuns: 200, seed: 8 });
    expect(new Set(drawn.map((b) => b.source))).toEqual(new Set(["builtin", "schema"]));
  });
});
