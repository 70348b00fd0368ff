/**
 * The clone hook's protocol (docs/operating.md, "P07 on your own lane: the clone hook"). A lane
 * takes its clone from its own configuration, never from a request (SPEC section 6), so P07's
 * clones are provisioned on the user's side by a command failclosed runs once per step: one JSON
 * request on its stdin, one JSON answer on its stdout, exit 0. Version 1 has three operations:
 *
 * - describe: which database the lane's clone is (markers name it; "names-other" names another);
 * - prepare: install exactly these marker bytes (or none) and add these production identities;
 * - restore: put the clean clone and configuration back.
 *
 * Anything else (another version, an unknown field, a non-zero exit, oversize output) is a hook
 * failure: the probe is inconclusive, never closed and never a finding.
 */
import type { CloneSetup } from "../types.js";

export const CLONE_HOOK_VERSION = 1;

/** The longest answer read from a hook's stdout; more is a failure, not a truncation. */
export const CLONE_HOOK_MAX_ANSWER_BYTES = 64 * 1024;

/** What a database name may be in an answer (PostgreSQL's identifier length, printable ASCII). */
const DATABASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_$.-]{0,62}$/;

export type CloneHookRequest =
  | { readonly v: 1; readonly op: "describe" }
  | {
      readonly v: 1;
      readonly op: "prepare";
      /** The marker JWS's exact bytes, base64; null: the clone must hold no marker at all. */
      readonly marker_b64: string | null;
      /** Database names the lane must treat as production identities, beside its own. */
      readonly production_databases: readonly string[];
    }
  | { readonly v: 1; readonly op: "restore" };

export type CloneHookOp = CloneHookRequest["op"];

/** What the hook says its lane's clone is. */
export interface CloneDescription {
  readonly database: string;
}

export type ParsedAnswer<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

export function prepareRequest(setup: CloneSetup): CloneHookRequest {
  return {
    v: 1,
    op: "prepare",
    marker_b64: setup.marker === null ? null : Buffer.from(setup.marker, "utf8").toString("base64"),
    production_databases: [...setup.productionDatabases],
  };
}

function objectOf(text: string): ParsedAnswer<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, why: "its answer is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, why: "its answer is not a JSON object" };
  return { ok: true, value: value as Record<string, unknown> };
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  return extra === undefined
    ? undefined
    : `its answer has an unknown member ${JSON.stringify(extra.slice(0, 40))}`;
}

/** The common frame of every answer: {"v":1,"ok":true,...}; "ok":false is the hook saying no. */
function framed(text: string, allowed: readonly string[]): ParsedAnswer<Record<string, unknown>> {
  const parsed = objectOf(text);
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  if (o["v"] !== CLONE_HOOK_VERSION)
    return { ok: false, why: `its answer is not protocol version ${CLONE_HOOK_VERSION} ("v":1)` };
  if (o["ok"] === false) {
    const error = typeof o["error"] === "string" ? o["error"].slice(0, 200) : "no reason given";
    return { ok: false, why: `it refused: ${error}` };
  }
  if (o["ok"] !== true) return { ok: false, why: 'its answer has no "ok":true' };
  const extra = onlyKeys(o, ["v", "ok", ...allowed]);
  return extra === undefined ? { ok: true, value: o } : { ok: false, why: extra };
}

export function parseDescribeAnswer(text: string): ParsedAnswer<CloneDescription> {
  const parsed = framed(text, ["database"]);
  if (!parsed.ok) return parsed;
  const database = parsed.value["database"];
  if (typeof database !== "string" || !DATABASE_NAME.test(database))
    return { ok: false, why: 'its describe answer has no valid "database" name' };
  return { ok: true, value: { database } };
}

/** prepare and restore answer {"v":1,"ok":true} and nothing more. */
export function parseDoneAnswer(text: string): ParsedAnswer<null> {
  const parsed = framed(text, []);
  return parsed.ok ? { ok: true, value: null } : parsed;
}
