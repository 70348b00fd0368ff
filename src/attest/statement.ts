/**
 * in-toto Statements v1 (github.com/in-toto/attestation, spec/v1): a subject named by its digests
 * and a typed predicate. Two are made here: a rehearsal's evidence as a test result, and the
 * release gate's decision as a SLSA Verification Summary Attestation (slsa.dev/verification_summary/v1).
 */
import type { EvidenceClaims } from "../lane/index.js";

export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const TEST_RESULT_PREDICATE = "https://in-toto.io/attestation/test-result/v0.1";
export const VSA_PREDICATE = "https://slsa.dev/verification_summary/v1";

export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Statement<P> {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  readonly predicate: P;
}

export interface TestResultPredicate {
  readonly result: "PASSED" | "WARNED" | "FAILED";
  readonly configuration: readonly ResourceDescriptor[];
  readonly passedTests: readonly string[];
  readonly warnedTests: readonly string[];
  readonly failedTests: readonly string[];
}

/**
 * The evidence of one rehearsal (SPEC E3): the subject is the evidence tree (its git tree id, E2),
 * the predicate says PASS or not and carries the migration's digest and the three clone digests
 * (C5) as the configuration the result holds for. REFUSED is a failed test like FAIL: the
 * rehearsal did not show that the migration rolls back.
 */
export function evidenceStatement(claims: EvidenceClaims): Statement<TestResultPredicate> {
  const test = `failclosed rehearsal ${claims.rehearsal_id} (${claims.mode}, C6)`;
  const digests = (["before", "after_apply", "after_rollback"] as const).map((name): ResourceDescriptor => {
    const value = claims[name];
    return value === null
      ? { name: `clone-digest:${name}`, annotations: { missing: "true" } }
      : { name: `clone-digest:${name}`, digest: { sha256: value } };
  });
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: `evidence/${claims.rehearsal_id}`, digest: { gitTree: claims.tree } }],
    predicateType: TEST_RESULT_PREDICATE,
    predicate: {
      result: claims.verdict === "PASS" ? "PASSED" : "FAILED",
      configuration: [
        {
          name: "migration",
          digest: { sha256: claims.artifact_sha256 },
          annotations: {
            packet_id: claims.packet_id,
            mode: claims.mode,
            verdict: claims.verdict,
            reasons: claims.reasons.join(","),
            scope: claims.scope,
            sealed_at: claims.sealed_at,
          },
        },
        ...digests,
      ],
      passedTests: claims.verdict === "PASS" ? [test] : [],
      warnedTests: [],
      failedTests: claims.verdict === "PASS" ? [] : [test],
    },
  };
}

export interface VsaPredicate {
  readonly verifier: { readonly id: string; readonly version?: Readonly<Record<string, string>> };
  readonly timeVerified: string;
  readonly resourceUri: string;
  readonly policy: { readonly uri: string };
  readonly inputAttestations: readonly ResourceDescriptor[];
  readonly verificationResult: "PASSED" | "FAILED";
  readonly verifiedLevels: readonly string[];
}

export interface ReleaseDecision {
  readonly passed: boolean;
  readonly closed: number;
  readonly required: number;
  /** Every report judged, by path, with the SHA-256 of its exact bytes. */
  readonly reports: readonly { readonly path: string; readonly sha256: string }[];
  /** What was judged: the reports' target(s), e.g. "in-process" or "http://127.0.0.1:8080". */
  readonly target: string;
  readonly families: readonly string[];
  readonly version: string;
  readonly time: string;
}

/**
 * The release gate's decision as a VSA. Its subject is what was verified, every report (a
 * verifier names a report by its digest); the reports are also the input attestations. The pass
 * rate is a level of failclosed's own track, FAILCLOSED_PASS_RATE_<closed>_OF_<required>, beside
 * FAILED when the gate refused: a VSA has no field of its own for it.
 */
export function releaseStatement(decision: ReleaseDecision): Statement<VsaPredicate> {
  const reports = decision.reports.map((report): ResourceDescriptor => ({
    name: report.path,
    digest: { sha256: report.sha256 },
  }));
  const rate = `FAILCLOSED_PASS_RATE_${decision.closed}_OF_${decision.required}`;
  return {
    _type: STATEMENT_TYPE,
    subject: reports,
    predicateType: VSA_PREDICATE,
    predicate: {
      verifier: {
        id: "https://www.npmjs.com/package/failclosed#release-gate",
        version: { failclosed: decision.version },
      },
      timeVerified: decision.time,
      resourceUri: `failclosed:target:${decision.target}`,
      policy: { uri: `failclosed:release-gate:${decision.families.join(",")}` },
      inputAttestations: reports,
      verificationResult: decision.passed ? "PASSED" : "FAILED",
      verifiedLevels: decision.passed ? [rate] : ["FAILED", rate],
    },
  };
}
