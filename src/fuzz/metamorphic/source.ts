/**
 * A source probe, opened for deriving variants: the request as canonical JSON, its action, and its
 * packet and grants, each either re-sealable (openSeal) or kept as the bytes it came with. A probe
 * that is not canonical JSON, or names no action SPEC knows, yields no source and no variant.
 */
import { createHash } from "node:crypto";
import { ACTIONS, decodeDocument, type Action, type Keyring } from "../../lane/index.js";
import { canonicalObject, isObject, stringMember, textOf, type Json, type JsonObject } from "./json.js";
import { openSeal, type OpenedSeal } from "./seal.js";

export interface GrantSlot {
  readonly jws: string;
  /** The payload's `action`, read without judging the seal; undefined when it cannot be read. */
  readonly action: string | undefined;
  readonly sealed: OpenedSeal | undefined;
  /**
   * Whether the grant passes the seal verification whatever the gate: an owner seal the fuzzer
   * reproduces over a payload the strict codec takes as a grant. Where two grants fail it, the gate
   * reports the first in the list (docs/protocol.md): their order then rightly decides the reason.
   */
  readonly verifies: boolean;
}

export interface Source {
  readonly request: JsonObject;
  readonly action: Action;
  readonly packet: OpenedSeal | undefined;
  readonly grants: readonly GrantSlot[];
  readonly size: number;
  /** SHA-256 of the source's bytes, hex: every choice a derivation makes is drawn from it. */
  readonly digest: string;
}

function isAction(value: string | undefined): value is Action {
  return (ACTIONS as readonly (string | undefined)[]).includes(value);
}

function payloadAction(jws: string): string | undefined {
  const payload = jws.split(".")[1];
  if (payload === undefined) return undefined;
  let value: Json;
  try {
    value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Json;
  } catch {
    return undefined;
  }
  return isObject(value) ? stringMember(value, "action") : undefined;
}

export async function sourceOf(bytes: Uint8Array, keyring: Keyring): Promise<Source | undefined> {
  const text = textOf(bytes);
  const request = text === undefined ? undefined : canonicalObject(text);
  if (request === undefined) return undefined;
  const action = stringMember(request, "action");
  const packet = stringMember(request, "packet");
  const grants = Object.hasOwn(request, "grants") ? request["grants"] : undefined;
  if (!isAction(action) || packet === undefined || !Array.isArray(grants)) return undefined;
  const jwsList = grants as readonly Json[];
  if (!jwsList.every((g): g is string => typeof g === "string")) return undefined;
  return {
    request,
    action,
    packet: await openSeal(packet, keyring, "decision-packet+jws"),
    grants: await Promise.all(
      jwsList.map(async (jws) => {
        const sealed = await openSeal(jws, keyring, "grant+jws");
        const payload =
          sealed === undefined ? undefined : Buffer.from(JSON.stringify(sealed.payload), "utf8");
        const verifies = payload !== undefined && decodeDocument("grant", payload).ok;
        return { jws, action: payloadAction(jws), sealed, verifies };
      }),
    ),
    size: bytes.length,
    digest: createHash("sha256").update(bytes).digest("hex"),
  };
}
