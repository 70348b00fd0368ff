import fc from "fast-check";
import {
  authorizedParts,
  authorizedRequest,
  chainByKey,
  describeBase,
  describeMutation,
  headerOf,
  keyOf,
  labelOf,
  malformationsOf,
  packetBases,
  rawJws,
  renderMutated,
  sealAs,
  type FamilyContext,
  type Malformation,
  type MemberSpec,
  type PacketBase,
  type ProbeFamily,
  entropy,
} from "../src/index.js";

/** Which document of a fully authorised request the malformations land in. */
type Where = "request" | "packet" | "grant";

interface Value {
  readonly entropy: number;
  /** The packet the request is built on: built in, a seed of corpora/P01/seeds/, or schema-drawn. */
  readonly base: PacketBase;
  readonly where: Where;
  readonly malformations: readonly Malformation[];
}

const REQUEST: readonly MemberSpec[] = [
  { name: "kind", type: "enum", value: "action-request" },
  { name: "v", type: "integer", value: 1 },
  { name: "request_id", type: "identifier", value: "req-1" },
  { name: "action", type: "enum", value: "CUTOVER" },
  { name: "target", type: "enum", value: "production" },
  { name: "packet", type: "string", value: "jws" },
  { name: "grants", type: "array", value: [] },
];

const PACKET: readonly MemberSpec[] = [
  { name: "kind", type: "enum", value: "decision-packet" },
  { name: "v", type: "integer", value: 1 },
  { name: "packet_id", type: "identifier", value: "FIX7-P0-2026-06-12" },
  { name: "issued_at", type: "timestamp", value: "2026-06-12T00:00:00Z" },
  { name: "expires_at", type: "timestamp", value: "2026-06-19T00:00:00Z" },
  { name: "default", type: "enum", value: "HOLD_PRODUCTION" },
  { name: "selected", type: "enum", value: "AUTHORIZE_PRODUCTION_EXECUTION" },
  { name: "blockers", type: "array", value: [] },
  { name: "evidence", type: "array", value: [] },
];

const GRANT: readonly MemberSpec[] = [
  { name: "kind", type: "enum", value: "grant" },
  { name: "v", type: "integer", value: 1 },
  { name: "grant_id", type: "identifier", value: "grant-1" },
  { name: "packet_id", type: "identifier", value: "FIX7-P0-2026-06-12" },
  { name: "action", type: "enum", value: "CUTOVER" },
  { name: "target", type: "enum", value: "production" },
  { name: "not_before", type: "timestamp", value: "2026-06-12T00:00:00Z" },
  { name: "expires_at", type: "timestamp", value: "2026-06-12T06:00:00Z" },
];

const SPECS: Readonly<Record<Where, readonly MemberSpec[]>> = {
  request: REQUEST,
  packet: PACKET,
  grant: GRANT,
};

async function render(value: Value, ctx: FamilyContext): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, labelOf(value), "CUTOVER", value.base);
  const mutations = value.malformations.map((m) => m.mutation);
  const request = await authorizedRequest(ctx, parts);
  switch (value.where) {
    case "request":
      return renderMutated(request, mutations);
    case "packet": {
      // Correctly sealed by the owner, but the signed bytes themselves are malformed (S5: the
      // payload is parsed strictly after the seal verifies).
      const owner = keyOf(ctx, "owner");
      const packet = await rawJws(
        headerOf(owner, "decision-packet+jws"),
        renderMutated(parts.packet, mutations),
        owner,
      );
      return renderMutated({ ...request, packet }, []);
    }
    case "grant": {
      const owner = keyOf(ctx, "owner");
      const [realRun, cutover] = parts.grants;
      if (realRun === undefined || cutover === undefined) throw new Error("CUTOVER needs two grants");
      const grants = [
        await sealAs(ctx, "owner", "grant", realRun),
        await rawJws(headerOf(owner, "grant+jws"), renderMutated(cutover, mutations), owner),
      ];
      return renderMutated({ ...request, grants }, []);
    }
  }
}

export const family: ProbeFamily<Value> = {
  id: "P01",
  name: "malformed-packet",
  operation: "decide",
  role: "attack",
  rules: ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R11", "S5"],
  minRuns: 1_000,
  arbitrary: (ctx) => {
    const bases = packetBases(ctx, "P01");
    return chainByKey(fc.constantFrom<Where>("request", "packet", "grant"), (where) =>
      fc.record({
        entropy: entropy(),
        base: bases,
        where: fc.constant(where),
        malformations: malformationsOf(SPECS[where]),
      }),
    );
  },
  render,
  breaks: (value) => value.malformations[0]?.rule,
  describe: (value) =>
    `${value.where}: ${value.malformations.map((m) => describeMutation(m.mutation)).join("; ")} (${describeBase(value.base)})`,
};
