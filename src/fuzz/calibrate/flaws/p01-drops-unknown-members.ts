/**
 * P01's second flawed codec: unknown members removed instead of refused, as ajv's
 * `removeAdditional` option does and as "be liberal in what you accept" advises. The bytes are read
 * by the strict scanner (R1-R6 hold), but a member the schema does not name is dropped before the
 * schema sees it (R7: additionalProperties false): the gate decides on a document other than the one
 * it was sent, and a client that adds `"dry_run": true` or `"approved_by"` is never told they mean
 * nothing.
 */
import { SHIPPED_GATE_COMPONENTS, scanJson, type DecodeRequest } from "../../../lane/index.js";

/** The action request's members (schemas/action-request.schema.json). */
const MEMBERS: ReadonlySet<string> = new Set([
  "kind",
  "v",
  "request_id",
  "action",
  "target",
  "packet",
  "grants",
  "evidence",
]);

export const dropsUnknownMembers: DecodeRequest = (bytes) => {
  const scanned = scanJson(bytes);
  if (
    !scanned.ok ||
    typeof scanned.value !== "object" ||
    scanned.value === null ||
    Array.isArray(scanned.value)
  )
    return SHIPPED_GATE_COMPONENTS.decodeRequest(bytes);
  // The flaw: only the members the schema names survive.
  const kept = Object.entries(scanned.value).filter(([name]) => MEMBERS.has(name));
  return SHIPPED_GATE_COMPONENTS.decodeRequest(Buffer.from(JSON.stringify(Object.fromEntries(kept)), "utf8"));
};
