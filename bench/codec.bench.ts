import { decodeDocument } from "../src/lane/codec/decode.js";
import { scanJson } from "../src/lane/codec/scanner.js";
import type { BenchSuite } from "./harness.js";

function packetBytes(blockers: number): Uint8Array {
  const packet = {
    kind: "decision-packet",
    v: 1,
    packet_id: "FIX7-P0-2026-06-12",
    issued_at: "2026-06-12T00:00:00Z",
    expires_at: "2026-07-01T00:00:00Z",
    default: "HOLD_PRODUCTION",
    selected: "HOLD_PRODUCTION",
    blockers: Array.from({ length: blockers }, (_, i) => ({
      id: `FIX7-P0-BLOCKER-${i}`,
      status: "OPEN",
      actors: ["owner", "operator"],
      gate: "prove snapshot/restore on a production-shaped DB dump clone, then production rehearsal",
    })),
    evidence: ["7a9364c5b64d95350da4023ad101a902fc77eb994c487f995412fe547bd847f9"],
  };
  return new TextEncoder().encode(JSON.stringify(packet));
}

const decoder = new TextDecoder();

/** The strict codec against JSON.parse of the same bytes (decoding included in both). */
export const suite: BenchSuite = {
  name: "codec",
  pairs() {
    const small = packetBytes(7);
    const large = packetBytes(120);
    return Promise.resolve([
      {
        group: `codec: decision packet, ${small.length} B`,
        subject: { name: "scanJson (R1-R6)", fn: () => scanJson(small) },
        limit: { name: "JSON.parse", fn: () => JSON.parse(decoder.decode(small)) as unknown },
        opsPerRound: 20_000,
      },
      {
        group: `codec: decision packet, ${small.length} B`,
        subject: { name: "decodeDocument (R1-R11)", fn: () => decodeDocument("decision-packet", small) },
        limit: { name: "JSON.parse", fn: () => JSON.parse(decoder.decode(small)) as unknown },
        opsPerRound: 20_000,
      },
      {
        group: `codec: decision packet, ${large.length} B`,
        subject: { name: "decodeDocument (R1-R11)", fn: () => decodeDocument("decision-packet", large) },
        limit: { name: "JSON.parse", fn: () => JSON.parse(decoder.decode(large)) as unknown },
        opsPerRound: 2_000,
      },
    ]);
  },
};
