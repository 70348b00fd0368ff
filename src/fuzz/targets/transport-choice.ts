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

export function transportFor(bytes: Uint8Array): Transport {
  const digest = createHash("sha256").update(bytes).digest();
  return TRANSPORTS[digest.readUInt32BE(0) % TRANSPORTS.length] ?? "in-process";
}

/** The transports other than `primary`, in TRANSPORTS order: where a refusal's copies go. */
export function otherTransports(primary: Transport): Transport[] {
  return TRANSPORTS.filter((transport) => transport !== primary);
}
