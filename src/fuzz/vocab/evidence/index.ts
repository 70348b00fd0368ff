import fc from "fast-check";
import { labelOf } from "../../craft/authorized.js";
import { entropy } from "../../craft/entropy.js";
import type { FamilyContext } from "../../types.js";
import { breaksText } from "../flaw.js";
import { applyEvidenceFlaw } from "./apply.js";
import {
  describeEvidenceFlaw,
  evidenceFlawArbitrary,
  explainEvidenceFlaw,
  type EvidenceFlaw,
} from "./flaws.js";

export type { EvidenceFlaw } from "./flaws.js";

/** The evidence flaw table: drawn, explained, applied to the authorised QT001_APPLY request. */
export const EVIDENCE_FLAWS = {
  arbitrary: () => evidenceFlawArbitrary,
  explain: explainEvidenceFlaw,
  apply: applyEvidenceFlaw,
};

export interface EvidenceValue {
  readonly entropy: number;
  readonly flaw: EvidenceFlaw;
}

export const evidenceValues = (
  table: { readonly arbitrary: () => fc.Arbitrary<EvidenceFlaw> } = EVIDENCE_FLAWS,
): fc.Arbitrary<EvidenceValue> => fc.record({ entropy: entropy(), flaw: table.arbitrary() });
export const evidenceBreaks = (value: EvidenceValue): string => breaksText(explainEvidenceFlaw(value.flaw));
export const describeEvidence = (value: EvidenceValue): string => describeEvidenceFlaw(value.flaw);
export const renderEvidenceProbe = (value: EvidenceValue, ctx: FamilyContext): Promise<Uint8Array> =>
  applyEvidenceFlaw(value.flaw, labelOf(value), ctx);
