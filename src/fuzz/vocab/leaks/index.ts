import fc from "fast-check";
import { labelOf } from "../../craft/authorized.js";
import { entropy } from "../../craft/entropy.js";
import type { FamilyContext } from "../../types.js";
import { breaksText } from "../flaw.js";
import { applyLeakFlaw } from "./apply.js";
import { describeLeakFlaw, explainLeakFlaw, leakFlawArbitrary, type LeakFlaw } from "./flaws.js";

export type { LeakFlaw, Payload as LeakPayload } from "./flaws.js";

/** The leak flaw table: drawn, explained, applied to the authorised QT001_APPLY request. */
export const LEAK_FLAWS = {
  arbitrary: () => leakFlawArbitrary,
  explain: explainLeakFlaw,
  apply: applyLeakFlaw,
};

export interface LeakValue {
  readonly entropy: number;
  readonly flaw: LeakFlaw;
}

export const leakValues = (
  table: { readonly arbitrary: () => fc.Arbitrary<LeakFlaw> } = LEAK_FLAWS,
): fc.Arbitrary<LeakValue> => fc.record({ entropy: entropy(), flaw: table.arbitrary() });
export function leakBreaks(value: LeakValue, ctx: FamilyContext): string | undefined {
  const explained = explainLeakFlaw(value.flaw, ctx);
  return explained === undefined ? undefined : breaksText(explained);
}
export const describeLeak = (value: LeakValue): string => describeLeakFlaw(value.flaw);
export const renderLeakProbe = (value: LeakValue, ctx: FamilyContext): Promise<Uint8Array> =>
  applyLeakFlaw(value.flaw, labelOf(value), ctx);
