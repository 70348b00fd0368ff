import { ACTIONS, GATE_REASONS } from "../../codec/documents.js";
import type { Action, GateReason } from "../../codec/documents.js";
import { isNonce } from "../../codec/formats.js";

/**
 * What the ledger agrees to store. The decision logic passes only validated identifiers and enum
 * values; these guards check that again so that a bug upstream can never write input bytes, a
 * secret or free text into the gate's tables. The database repeats the same rules as CHECK
 * constraints (migrations.ts), so a writer that bypasses this module is refused too.
 *
 * A value failing a guard is a programming error: the guard throws a TypeError naming the field,
 * never the value (G7: no input bytes echoed, not even in errors).
 */

/** R11, as in schemas/common.schema.json#/definitions/identifier. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** SPEC section 3, as in schemas/common.schema.json#/definitions/packet_id. */
const PACKET_ID = /^[A-Z0-9][A-Z0-9-]{2,63}$/;

/** schemas/verdict.schema.json: at most 16 reasons. */
export const MAX_REASONS = 16;
/** G3 uses two grants; a few more leave room for future actions without allowing unbounded writes. */
export const MAX_GRANTS = 8;

function refuse(field: string, what: string): never {
  throw new TypeError(`ledger: ${field} is not ${what}`);
}

export function checkIdentifier(field: string, value: unknown): string {
  if (typeof value !== "string" || !IDENTIFIER.test(value)) refuse(field, "an identifier (R11)");
  return value;
}

export function checkPacketId(field: string, value: unknown): string {
  if (typeof value !== "string" || !PACKET_ID.test(value)) refuse(field, "a packet_id");
  return value;
}

export function checkNonce(field: string, value: unknown): string {
  if (typeof value !== "string" || !isNonce(value)) refuse(field, "a nonce (base64url of 16 to 64 bytes)");
  return value;
}

export function checkAction(field: string, value: unknown): Action {
  const found = ACTIONS.find((action) => action === value);
  if (found === undefined) refuse(field, "an action");
  return found;
}

export function checkReasons(field: string, value: unknown, minimum: number): readonly GateReason[] {
  if (!Array.isArray(value) || value.length < minimum || value.length > MAX_REASONS) {
    refuse(field, `a list of ${minimum} to ${MAX_REASONS} reason codes`);
  }
  const reasons: GateReason[] = [];
  for (const item of value as readonly unknown[]) {
    const found = GATE_REASONS.find((reason) => reason === item);
    if (found === undefined) refuse(field, "a list of fixed reason codes");
    if (reasons.includes(found)) refuse(field, "a list of distinct reason codes");
    reasons.push(found);
  }
  return reasons;
}
