/**
 * Deriving variants (src/fuzz/metamorphic/), without a target: each relation edits exactly what it
 * says, keeps every other byte, re-seals only what the fuzzer could have sealed itself, makes fresh
 * grants for allowed sources, and derives the same variant from the same source every time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RELATIONS,
  sourceOf,
  type Relation,
  type RelationId,
  type Source,
} from "../../../src/fuzz/metamorphic/index.js";
import {
  decodeDocument,
  type ActionRequest,
  type DecisionPacket,
  type Grant,
} from "../../../src/lane/index.js";
import { BENDS, NOW, openBench, sourceBytes, type Bench } from "./support.js";

let bench: Bench;
beforeAll(async () => {
  bench = await openBench();
});
afterAll(() => bench.close());

function relation(id: RelationId): Relation {
  const found = RELATIONS.find((r) => r.id === id);
  if (found === undefined) throw new Error(id);
  return found;
}

function payload<T>(jws: string): T {
  return JSON.parse(Buffer.from(jws.split(".")[1] ?? "", "base64url").toString("utf8")) as T;
}

function header(jws: string): { kid: string } {
  return JSON.parse(Buffer.from(jws.split(".")[0] ?? "", "base64url").toString("utf8")) as { kid: string };
}

async function opened(bytes: Uint8Array): Promise<Source> {
  const source = await sourceOf(bytes, bench.kut.keyring);
  if (source === undefined) throw new Error("the source did not open");
  return source;
}

async function variantOf(id: RelationId, bytes: Uint8Array, fresh = false): Promise<ActionRequest> {
  const derived = await relation(id).derive(bytes, await opened(bytes), {
    keys: { keyring: bench.kut.keyring, now: NOW, salt: "s" },
    fresh,
    relation: id,
  });
  if (derived === undefined) throw new Error(`${id} derived nothing`);
  const decoded = decodeDocument("action-request", derived.bytes);
  if (!decoded.ok) throw new Error(`${id}: the variant is not a strict request`);
  return decoded.value;
}

describe("the relations' variants", () => {
  it("same-bytes fires the very bytes, also from an allowed source", async () => {
    const bytes = await sourceBytes(bench.ctx, "CUTOVER");
    const derived = await relation("same-bytes").derive(bytes, undefined, {
      keys: { keyring: bench.kut.keyring, now: NOW, salt: "s" },
      fresh: false,
      relation: "same-bytes",
    });
    expect(Buffer.from(derived?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
  });

  it("grant-removed drops every grant of one needed action and keeps the rest byte for byte", async () => {
    const bytes = await sourceBytes(bench.ctx, "CUTOVER");
    const source = JSON.parse(Buffer.from(bytes).toString()) as ActionRequest;
    const variant = await variantOf("grant-removed", bytes);
    expect(variant.grants).toHaveLength(1);
    expect(source.grants).toContain(variant.grants[0]);
    expect(variant.packet).toBe(source.packet);
  });

  it("window-moved re-seals the needed grants valid only from tomorrow", async () => {
    const variant = await variantOf("window-moved", await sourceBytes(bench.ctx, "DRYRUN"));
    const grant = payload<Grant>(variant.grants[0] ?? "");
    expect(grant.not_before).toBe(new Date((NOW + 86_400) * 1000).toISOString().replace(".000Z", "Z"));
    expect(header(variant.grants[0] ?? "").kid).toBe(bench.kut.kids.owner);
  });

  it("option-weakened picks the strongest option that does not permit the action", async () => {
    const cutover = await variantOf("option-weakened", await sourceBytes(bench.ctx, "CUTOVER"));
    expect(payload<DecisionPacket>(cutover.packet).selected).toBe(
      "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY",
    );
    const dryrun = await variantOf("option-weakened", await sourceBytes(bench.ctx, "DRYRUN"));
    expect(payload<DecisionPacket>(dryrun.packet).selected).toBe("HOLD_PRODUCTION");
    const hold = await sourceBytes(bench.ctx, "DRYRUN", BENDS.hold);
    const none = await relation("option-weakened").derive(hold, await opened(hold), {
      keys: { keyring: bench.kut.keyring, now: NOW, salt: "s" },
      fresh: false,
      relation: "option-weakened",
    });
    expect(none).toBeUndefined();
  });

  it("blocker-added appends one OPEN blocker of the operator's", async () => {
    const bytes = await sourceBytes(bench.ctx, "REPOINT");
    const before = payload<DecisionPacket>(
      (JSON.parse(Buffer.from(bytes).toString()) as ActionRequest).packet,
    );
    const after = payload<DecisionPacket>((await variantOf("blocker-added", bytes)).packet);
    expect(after.blockers.slice(0, -1)).toEqual(before.blockers);
    expect(after.blockers.at(-1)).toMatchObject({ status: "OPEN", actors: ["operator"] });
  });

  it("members-reordered reverses every object and the grants, keeping the size", async () => {
    const bytes = await sourceBytes(bench.ctx, "QT001_APPLY");
    const derived = await relation("members-reordered").derive(bytes, await opened(bytes), {
      keys: { keyring: bench.kut.keyring, now: NOW, salt: "s" },
      fresh: false,
      relation: "members-reordered",
    });
    expect(derived?.bytes.length).toBe(bytes.length);
    const variant = JSON.parse(Buffer.from(derived?.bytes ?? []).toString()) as ActionRequest;
    const source = JSON.parse(Buffer.from(bytes).toString()) as ActionRequest;
    expect(Object.keys(variant)).toEqual(Object.keys(source).reverse());
    expect(variant.evidence).toBe(source.evidence);
    expect(variant.grants.map((g) => payload<Grant>(g).grant_id)).toEqual(
      source.grants.map((g) => payload<Grant>(g).grant_id).reverse(),
    );
    expect(Object.keys(payload<DecisionPacket>(variant.packet))[0]).toBe("evidence");
  });

  it("resealed-same-role seals packet and grants with the second owner key, at the same size", async () => {
    const bytes = await sourceBytes(bench.ctx, "ACTIVATION");
    const variant = await variantOf("resealed-same-role", bytes);
    const second = [...bench.kut.keyring.values()].find(
      (k) => k.role === "owner" && k.kid !== bench.kut.kids.owner,
    );
    expect(second).toBeDefined();
    for (const jws of [variant.packet, ...variant.grants]) expect(header(jws).kid).toBe(second?.kid);
    expect(Buffer.from(JSON.stringify(variant)).length).toBe(bytes.length);
  });

  it("makes every grant fresh for an allowed source (its own were spent), the same way every time", async () => {
    const bytes = await sourceBytes(bench.ctx, "CUTOVER");
    const source = JSON.parse(Buffer.from(bytes).toString()) as ActionRequest;
    const first = await variantOf("members-reordered", bytes, true);
    const again = await variantOf("members-reordered", bytes, true);
    expect(first).toEqual(again);
    const ids = first.grants.map((g) => payload<Grant>(g));
    for (const g of ids) expect(g.grant_id).toMatch(/^mm-[0-9a-f]{20}$/);
    const spent = new Set(source.grants.map((g) => payload<Grant>(g).nonce));
    expect(ids.some((g) => spent.has(g.nonce))).toBe(false);
  });
});

describe("what is never re-sealed or derived", () => {
  it("a packet whose signature does not hold is kept as it is, so relations that edit it derive nothing", async () => {
    const bytes = await sourceBytes(bench.ctx, "CUTOVER");
    const request = JSON.parse(Buffer.from(bytes).toString()) as ActionRequest;
    const [h, p, s = ""] = request.packet.split(".");
    const flipped = `${h}.${p}.${s.startsWith("A") ? "B" : "A"}${s.slice(1)}`;
    const forged = Buffer.from(JSON.stringify({ ...request, packet: flipped }));
    const source = await opened(forged);
    expect(source.packet).toBeUndefined();
    const keys = { keyring: bench.kut.keyring, now: NOW, salt: "s" };
    for (const id of ["option-weakened", "blocker-added"] as const)
      expect(await relation(id).derive(forged, source, { keys, fresh: false, relation: id })).toBeUndefined();
    // Reordering keeps the forged packet's bytes: the forgery is never repaired.
    const reordered = await relation("members-reordered").derive(forged, source, {
      keys,
      fresh: false,
      relation: "x",
    });
    expect((JSON.parse(Buffer.from(reordered?.bytes ?? []).toString()) as ActionRequest).packet).toBe(
      flipped,
    );
  });

  it("a request that is not canonical JSON opens no source (its spelling could be what is refused)", async () => {
    const bytes = await sourceBytes(bench.ctx, "CUTOVER");
    const spaced = Buffer.from(JSON.stringify(JSON.parse(Buffer.from(bytes).toString()), null, 1));
    expect(await sourceOf(spaced, bench.kut.keyring)).toBeUndefined();
    const duplicated = Buffer.from(Buffer.from(bytes).toString().replace('{"kind"', '{"v":1,"kind"'));
    expect(await sourceOf(duplicated, bench.kut.keyring)).toBeUndefined();
  });
});
