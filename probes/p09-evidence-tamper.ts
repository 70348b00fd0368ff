import {
  EVIDENCE_FLAWS,
  describeEvidence,
  evidenceBreaks,
  evidenceValues,
  renderEvidenceProbe,
  type EvidenceValue,
  type ProbeFamily,
} from "../src/index.js";

export type { EvidenceFlaw } from "../src/index.js";

/**
 * P09 evidence-tamper (C6, E1-E4, G4, S4): the fully authorised QT001_APPLY request with exactly
 * one flaw from the evidence flaw table: a verdict or scope other than PASS and clone, a tree or
 * artifact that does not bind, a no-op or unrestored digest, a wrong signer, typ confusion.
 */
export const family: ProbeFamily<EvidenceValue> = {
  id: "P09",
  name: "evidence-tamper",
  operation: "decide",
  role: "attack",
  rules: ["C6", "E2", "E3", "G4", "S4"],
  minRuns: 1_000,
  arbitrary: () => evidenceValues(EVIDENCE_FLAWS),
  render: renderEvidenceProbe,
  breaks: evidenceBreaks,
  describe: describeEvidence,
};
