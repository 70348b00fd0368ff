/**
 * Which transport (SPEC section 8) carries a probe when the reference lane serves every one of
 * them: a function of the probe's bytes alone (SHA-256, first 32 bits, modulo three). A rotation
 * by counter would send the same bytes elsewhere on confirmation (a fresh target counts from zero)
 * and on replay; by bytes, the confirmation, a replay and the finding's record all name the
 * transport the failure was seen on, and the split stays even (a third each) for any family.
 */
import { createHash } from "node:crypto";
import type { Transport } from "../types.js";

export const TRANSPORTS: readonly Transport[] = ["in-process", "http", "json-lines"];

/** How reports and the console name a transport, with its SPEC rule. */
export const TRANSPORT_LABELS: Readonly<Record<Transport, string>> = {
  "in-process": "in process (T1)",
  http: "HTTP (T2)",
  "json-lines": "JSON lines (T3)",
};

/**
 * One refused gate request in this many is also fired over the two other transports (a copy costs
 * a whole gate decision each: copying every refusal doubled the time of `--only P01,P02,P03`, one
 * in three adds about a third). A transport flaw is systematic (a status mapping, a framing): each
 * transport still carries a third of all probes under every oracle, and the copies compare
 * hundreds of the same bytes per family.
 */
export const COPY_EVERY = 3;

function digestOf(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest();
}

/**
 * Where these bytes go, and whether they are copied to the other transports if refused: both by
 * the bytes alone.
 */
export interface TransportPlan {
  readonly transport: Transport;
  readonly copiedWhenRefused: boolean;
}

/** Both choices from one hash of the bytes: a probe can be a megabyte, hashed once per firing. */
export function transportPlan(bytes: Uint8Array): TransportPlan {
  const digest = digestOf(bytes);
  return {
    transport: TRANSPORTS[digest.readUInt32BE(0) % TRANSPORTS.length] ?? "in-process",
    copiedWhenRefused: digest.readUInt32BE(4) % COPY_EVERY === 0,
  };
}

export function transportFor(bytes: Uint8Array): Transport {
  return transportPlan(bytes).transport;
}

/** The transports other than `primary`, in TRANSPORTS order: where a refusal's copies go. */
export function otherTransports(primary: Transport): Transport[] {
  return TRANSPORTS.filter((transport) => transport !== primary);
}
