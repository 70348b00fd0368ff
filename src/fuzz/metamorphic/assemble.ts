/**
 * Building a variant from a source: documents edited as JSON members and re-sealed with the key
 * that sealed them (or another of its role), grants made fresh where the source was allowed, and
 * the request written back as canonical JSON with only the changed members changed.
 */
import { createHash } from "node:crypto";
import type { KeyEntry } from "../../lane/index.js";
import type { MetamorphicKeys } from "../types.js";
import { stringMember, withMember, type JsonObject } from "./json.js";
import { sealWith, type OpenedSeal } from "./seal.js";
import type { GrantSlot, Source } from "./source.js";

/** How a relation's variant is built for this source. */
export interface Derivation {
  readonly keys: MetamorphicKeys;
  /**
   * The source was allowed, so its grants are spent (G5): every grant of the variant is minted
   * afresh (new grant_id and nonce, sealed by the same key), or the variant would be refused as a
   * replay whatever the relation, and the relation would prove nothing.
   */
  readonly fresh: boolean;
  /** The relation's id, mixed into fresh ids: two relations of one source never share a grant. */
  readonly relation: string;
}

function hashOf(...parts: readonly string[]): Buffer {
  return createHash("sha256").update(parts.join("\0")).digest();
}

/** A fresh copy of a grant's payload: its own grant_id and nonce, drawn from the old ones. */
function freshPayload(payload: JsonObject, d: Derivation): JsonObject | undefined {
  const id = stringMember(payload, "grant_id");
  const nonce = stringMember(payload, "nonce");
  if (id === undefined || nonce === undefined) return undefined;
  const seed = hashOf("metamorphic", d.keys.salt, d.relation, id, nonce);
  const renamed = withMember(payload, "grant_id", `mm-${seed.subarray(0, 10).toString("hex")}`);
  return withMember(renamed, "nonce", seed.subarray(10, 28).toString("base64url"));
}

/** What a relation does to one grant: edit its payload, seal it with another key of its role. */
export interface GrantChange {
  readonly edit?: (payload: JsonObject) => JsonObject;
  readonly key?: KeyEntry;
}

/**
 * The grant's JWS in the variant: kept byte for byte unless it is changed or must be fresh, and
 * then re-sealed. Undefined when it would have to be re-sealed but cannot be (openSeal).
 */
export async function grantJws(
  slot: GrantSlot,
  d: Derivation,
  change: GrantChange = {},
): Promise<string | undefined> {
  if (!d.fresh && change.edit === undefined && change.key === undefined) return slot.jws;
  const sealed = slot.sealed;
  if (sealed === undefined) return undefined;
  const edited = change.edit === undefined ? sealed.payload : change.edit(sealed.payload);
  const payload = d.fresh ? freshPayload(edited, d) : edited;
  if (payload === undefined) return undefined;
  return sealWith(change.key ?? sealed.key, sealed.typ, payload);
}

/** Every grant through grantJws, changed as `plan` says; undefined when one cannot be made. */
export async function grantList(
  slots: readonly GrantSlot[],
  d: Derivation,
  plan: (slot: GrantSlot) => GrantChange = () => ({}),
): Promise<string[] | undefined> {
  const out: string[] = [];
  for (const slot of slots) {
    const jws = await grantJws(slot, d, plan(slot));
    if (jws === undefined) return undefined;
    out.push(jws);
  }
  return out;
}

/** The packet's JWS with an edited payload (or another key of its role), or undefined. */
export function packetJws(
  packet: OpenedSeal | undefined,
  edit: (payload: JsonObject) => JsonObject | undefined,
  key?: KeyEntry,
): Promise<string | undefined> | undefined {
  if (packet === undefined) return undefined;
  const payload = edit(packet.payload);
  return payload === undefined ? undefined : sealWith(key ?? packet.key, packet.typ, payload);
}

/** The source's request with its packet and grants replaced, as canonical JSON bytes. */
export function requestBytes(
  source: Source,
  packet: string | undefined,
  grants: readonly string[],
): Uint8Array {
  let request = withMember(source.request, "grants", grants);
  if (packet !== undefined) request = withMember(request, "packet", packet);
  return Buffer.from(JSON.stringify(request), "utf8");
}
