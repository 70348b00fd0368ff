/**
 * P02 forged-seal (S1-S6): a fully authorised request in which one or two seals (the packet's, a
 * grant's, the QT001 evidence's) carry one named flaw each. Everything else is exactly what a
 * correct gate allows, so the flaw is the only thing between the probe and a permit.
 */
import fc from "fast-check";
import { ACTIONS, type Action } from "../../../lane/index.js";
import { authorizedParts, authorizedRequest, labelOf } from "../../craft/authorized.js";
import { describeBase, packetBases, type PacketBase } from "../../craft/bases.js";
import { chainByKey } from "../../craft/chain-by-key.js";
import { entropy } from "../../craft/entropy.js";
import { renderMutated } from "../../craft/json-render.js";
import type { FamilyContext } from "../../types.js";
import { breaksText } from "../flaw.js";
import { explainSealFlaw, sealFlawArbitrary, type SealFlaw } from "./flaws.js";
import { forge } from "./forge.js";
import { slotName, slotsOf, type Slot } from "./slots.js";

/** The seal flaw table: drawn per slot, explained, applied by forging the slot's JWS. */
export const SEAL_FLAWS = { arbitrary: sealFlawArbitrary, explain: explainSealFlaw, apply: forge };

export interface Forgery {
  readonly slot: Slot;
  readonly flaw: SealFlaw;
}

export interface ForgedSealValue {
  readonly entropy: number;
  /** The packet the request is built on: built in, a seed of corpora/P02/seeds/, or schema-drawn. */
  readonly base: PacketBase;
  readonly action: Action;
  readonly forgeries: readonly Forgery[];
}

/** One or two forgeries on distinct seals: each alone is a broken seal, so any shrink still is. */
export function forgedSealValues(
  ctx: FamilyContext,
  familyId: string,
  flaws: Pick<typeof SEAL_FLAWS, "arbitrary"> = SEAL_FLAWS,
): fc.Arbitrary<ForgedSealValue> {
  const bases = packetBases(ctx, familyId);
  return chainByKey(fc.constantFrom(...ACTIONS), (action) =>
    fc.record({
      entropy: entropy(),
      base: bases,
      action: fc.constant(action),
      forgeries: fc.uniqueArray(
        fc.oneof(...slotsOf(action).map((slot) => flaws.arbitrary(slot).map((flaw) => ({ slot, flaw })))),
        { minLength: 1, maxLength: 2, selector: (f) => f.slot },
      ),
    }),
  );
}

export function forgedSealBreaks(value: ForgedSealValue): string | undefined {
  const first = value.forgeries[0];
  if (first === undefined) return undefined;
  return `${breaksText(SEAL_FLAWS.explain(first.flaw, first.slot))} (${slotName(first.slot, value.action)})`;
}

export function describeForgedSeals(value: ForgedSealValue): string {
  const forged = value.forgeries.map(
    (f) => `${slotName(f.slot, value.action)}: ${SEAL_FLAWS.explain(f.flaw, f.slot).what}`,
  );
  return `${value.action} request; ${forged.join("; ")} (${describeBase(value.base)})`;
}

export async function renderForgedSeals(value: ForgedSealValue, ctx: FamilyContext): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, labelOf(value), value.action, value.base);
  // Start from the request a correct gate allows and swap in the forged seals only.
  const base = await authorizedRequest(ctx, parts);
  const forged = new Map<Slot, string>();
  for (const f of value.forgeries) forged.set(f.slot, await SEAL_FLAWS.apply(ctx, f.flaw, f.slot, parts));
  const grants = base.grants.map((jws, i) => forged.get(i === 0 ? "grant-0" : "grant-1") ?? jws);
  const evidence = forged.get("evidence") ?? base.evidence;
  return renderMutated(
    {
      ...base,
      packet: forged.get("packet") ?? base.packet,
      grants,
      ...(evidence === undefined ? {} : { evidence }),
    },
    [],
  );
}
