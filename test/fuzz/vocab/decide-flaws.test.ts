/**
 * The decide-side flaw tables, each applied to a fully authorised request and judged by the lane's
 * own strict verifier and the fuzzer's contract: every drawn flaw really breaks its rule (must
 * fire), the unflawed document does not (must stay quiet), and descriptions are stable.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ACTIONS,
  BLOCKER_FLAWS,
  GRANT_PROBLEMS,
  MARKER_FLAWS,
  SEAL_FLAWS,
  authorizedParts,
  authorizedRequest,
  describeBlockers,
  describeGrants,
  describeOptions,
  explainDefault,
  explainSelected,
  grantValues,
  markerCloneSetup,
  markerValues,
  optionValues,
  ownerReseals,
  sealAs,
  selectedRaw,
  DEFAULT_FLAWS,
  verifySealedDocument,
  type DecisionPacket,
  type FamilyContext,
  type Option,
} from "../../../src/index.js";
import { OPTION_LADDER, optionAllows } from "../../../src/fuzz/contract/contract.js";
import { vocabContext } from "./support.js";

let ctx: FamilyContext;
beforeAll(async () => {
  ctx = await vocabContext();
});

describe("the owner re-seal helper", () => {
  it("seals exactly what sealAs seals when nothing is mutated (quiet)", async () => {
    const packet = authorizedParts(ctx, "reseal", "CUTOVER").packet;
    const resealed = await ownerReseals(ctx, "decision-packet+jws", packet, []);
    expect(resealed).toBe(await sealAs(ctx, "owner", "decision-packet", packet));
    expect((await verifySealedDocument(ctx.keyring, "decision-packet", resealed)).ok).toBe(true);
  });

  it("seals mutated bytes for real: the seal verifies, the payload does not parse (fires, S5)", async () => {
    const packet = authorizedParts(ctx, "reseal", "CUTOVER").packet;
    const mutation = {
      kind: "duplicate",
      path: [],
      name: "selected",
      raw: '"HOLD_PRODUCTION"',
      escapeName: false,
    } as const;
    const verified = await verifySealedDocument(
      ctx.keyring,
      "decision-packet",
      await ownerReseals(ctx, "decision-packet+jws", packet, [mutation]),
    );
    expect(verified.ok ? "verified" : verified.error.code).toBe("payload_invalid");
  });
});

describe("seal flaws (S1-S6)", () => {
  it("every drawn flaw makes its slot's seal fail the strict verifier; the genuine seal passes", async () => {
    const parts = authorizedParts(ctx, "seal-flaws", "QT001_APPLY");
    const request = await authorizedRequest(ctx, parts);
    expect((await verifySealedDocument(ctx.keyring, "decision-packet", request.packet)).ok).toBe(true);
    const slots = ["packet", "grant-0", "grant-1", "evidence"] as const;
    const kindOf = {
      packet: "decision-packet",
      "grant-0": "grant",
      "grant-1": "grant",
      evidence: "evidence",
    } as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...slots).chain((slot) => SEAL_FLAWS.arbitrary(slot).map((flaw) => ({ slot, flaw }))),
        async ({ slot, flaw }) => {
          const jws = await SEAL_FLAWS.apply(ctx, flaw, slot, parts);
          const verified = await verifySealedDocument(ctx.keyring, kindOf[slot], jws);
          expect(verified.ok, SEAL_FLAWS.explain(flaw, slot).what).toBe(false);
          expect(["S1", "S2", "S3", "S4", "S5", "S6"]).toContain(SEAL_FLAWS.explain(flaw, slot).rule);
        },
      ),
      { numRuns: 200, seed: 17 },
    );
  });
});

/** What a correct gate needs of the packet's options: one option that allows it, HOLD as default. */
function optionsPermit(packet: Record<string, unknown>, action: (typeof ACTIONS)[number]): boolean {
  const selected = packet["selected"];
  return (
    typeof selected === "string" &&
    (OPTION_LADDER as readonly string[]).includes(selected) &&
    optionAllows(selected as Option, action) &&
    packet["default"] === "HOLD_PRODUCTION"
  );
}

describe("option flaws (section 3, G1, G2)", () => {
  it("every drawn selected or default flaw leaves a packet that does not permit the action", () => {
    const base: DecisionPacket = authorizedParts(ctx, "options", "CUTOVER").packet;
    fc.assert(
      fc.property(optionValues(ctx, "P05"), (value) => {
        const packet: Record<string, unknown> = { ...base };
        if (value.selected !== null) packet["selected"] = JSON.parse(selectedRaw(value.selected)) as unknown;
        if (value.default !== null)
          packet["default"] = JSON.parse(DEFAULT_FLAWS.apply(value.default)) as unknown;
        expect(optionsPermit(packet, value.action), describeOptions(value)).toBe(false);
        if (value.selected !== null)
          expect(["R7", "R8", "G1", "G2"]).toContain(explainSelected(value.selected, value.action).rule);
        if (value.default !== null) expect(["R7", "R8"]).toContain(explainDefault(value.default).rule);
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it("the authorised packet does permit every action (quiet)", () => {
    for (const action of ACTIONS) {
      const packet = authorizedParts(ctx, "options", action).packet as unknown as Record<string, unknown>;
      expect(optionsPermit(packet, action), action).toBe(true);
    }
  });
});

/** G3 and section 3: a list of distinct ids, every blocker DISCHARGED with valid actors. */
function blockersClosed(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const list = JSON.parse(raw) as unknown;
  if (!Array.isArray(list)) return false;
  const ids = list.map((b) => (b as { id?: unknown }).id);
  return (
    new Set(ids).size === ids.length &&
    list.every((b) => {
      const { status, actors } = b as { status?: unknown; actors?: unknown };
      return (
        status === "DISCHARGED" &&
        Array.isArray(actors) &&
        actors.length > 0 &&
        new Set(actors).size === actors.length &&
        actors.every((a) => a === "owner" || a === "operator")
      );
    })
  );
}

describe("blocker flaws (G3)", () => {
  const original = [
    { id: "B-1", status: "DISCHARGED", actors: ["owner"], gate: "one" },
    { id: "B-2", status: "DISCHARGED", actors: ["owner", "operator"], gate: "two" },
  ];

  it("every drawn flaw, alone or combined, leaves blockers that do not all read discharged", () => {
    fc.assert(
      fc.property(fc.array(BLOCKER_FLAWS.arbitrary(), { minLength: 1, maxLength: 3 }), (flaws) => {
        const applied = BLOCKER_FLAWS.apply(flaws, original);
        expect(blockersClosed(applied), JSON.stringify(flaws)).toBe(false);
        for (const flaw of flaws) expect(["G3", "R7", "R8"]).toContain(BLOCKER_FLAWS.explain(flaw).rule);
      }),
      { numRuns: 300, seed: 8 },
    );
  });

  it("no flaw leaves the discharged list as it is (quiet)", () => {
    expect(blockersClosed(BLOCKER_FLAWS.apply([], original))).toBe(true);
  });

  it("describes the same value the same way", () => {
    for (const value of fc.sample(
      fc.constant(null).chain(() => BLOCKER_FLAWS.arbitrary()),
      { numRuns: 20, seed: 3 },
    ))
      expect(BLOCKER_FLAWS.explain(value)).toEqual(BLOCKER_FLAWS.explain(structuredClone(value)));
    const sampled = fc.sample(grantValues(GRANT_PROBLEMS), { numRuns: 20, seed: 3 });
    for (const value of sampled) expect(describeGrants(value)).toBe(describeGrants(structuredClone(value)));
    void describeBlockers;
  });
});

describe("grant problems (G1-G4)", () => {
  it("name a G rule for every action they are drawn for", () => {
    for (const action of ACTIONS) {
      for (const problem of fc.sample(GRANT_PROBLEMS.arbitrary(action), { numRuns: 30, seed: 2 }))
        expect(["G1", "G2", "G3", "G4"]).toContain(GRANT_PROBLEMS.explain(problem, action).rule);
    }
  });
});

describe("clone marker flaws (C1)", () => {
  it("every flaw's clone fails C1: no marker, a seal that does not verify, another database, or production", async () => {
    for (const value of fc.sample(markerValues(MARKER_FLAWS), { numRuns: 60, seed: 4 })) {
      const setup = await markerCloneSetup(value, ctx);
      const marker = setup.marker;
      const verified =
        marker === null ? undefined : await verifySealedDocument(ctx.keyring, "clone-marker", marker);
      const passes =
        verified?.ok === true &&
        verified.value.payload.database === "postgres" &&
        !setup.productionDatabases.includes("postgres");
      expect(passes, MARKER_FLAWS.explain(value.flaw).what).toBe(false);
      expect(MARKER_FLAWS.explain(value.flaw).rule).toBe("C1");
    }
  });

  it("the genuine marker the flaws start from passes C1 (quiet)", async () => {
    const marker = await sealAs(ctx, "operator", "clone-marker", {
      kind: "clone-marker",
      v: 1,
      marker_id: "marker-quiet",
      clone: "failclosed-reference",
      database: "postgres",
      issued_at: "2026-06-12T00:00:00Z",
    });
    const verified = await verifySealedDocument(ctx.keyring, "clone-marker", marker);
    expect(verified.ok && verified.value.payload.database).toBe("postgres");
  });
});
