import type { ActionRequest } from "../../lane/index.js";
import { renderMutated, type Mutation } from "../craft/json-render.js";
import { headerOf, keyOf, rawJws } from "../craft/seal.js";
import type { FamilyContext } from "../types.js";

/**
 * The owner seals a document whose bytes were mutated: signed for real over exactly these bytes,
 * so the seal is perfect and only the content is wrong (S5: the payload is parsed strictly after
 * the seal verifies). Goes through rawJws, not sealAs, because sealAs refuses invalid documents.
 */
export function ownerReseals(
  ctx: FamilyContext,
  typ: "decision-packet+jws" | "grant+jws",
  doc: unknown,
  mutations: readonly Mutation[],
): Promise<string> {
  const owner = keyOf(ctx, "owner");
  return rawJws(headerOf(owner, typ), renderMutated(doc, mutations), owner);
}

/** The request's bytes with its packet replaced by the owner's seal over the mutated packet. */
export async function withResealedPacket(
  ctx: FamilyContext,
  request: ActionRequest,
  packet: unknown,
  mutations: readonly Mutation[],
): Promise<Uint8Array> {
  const sealed = await ownerReseals(ctx, "decision-packet+jws", packet, mutations);
  return renderMutated({ ...request, packet: sealed }, []);
}
