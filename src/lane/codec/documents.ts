/**
 * TypeScript shapes of the protocol documents. The JSON Schema files in schemas/ are the source of
 * truth (R10); these types mirror them and test/lane/codec/schema-types.test.ts keeps them honest.
 */
export const OPTIONS = [
  "HOLD_PRODUCTION",
  "AUTHORIZE_PRODUCTION_DRYRUN_ONLY",
  "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY",
  "AUTHORIZE_PRODUCTION_EXECUTION",
] as const;
export type Option = (typeof OPTIONS)[number];

export const ACTIONS = [
  "DRYRUN",
  "REALRUN_PRECHECK",
  "REAL_RUN",
  "QT001_APPLY",
  "PERMIT",
  "ACTIVATION",
  "REPOINT",
  "CUTOVER",
] as const;
export type Action = (typeof ACTIONS)[number];

export const IRREVERSIBLE_ACTIONS = ["QT001_APPLY", "PERMIT", "ACTIVATION", "REPOINT", "CUTOVER"] as const;

export const BLOCKER_STATUSES = [
  "OPEN",
  "NARROWED",
  "CLASSIFIED",
  "PARTIALLY_DISCHARGED",
  "DISCHARGED",
] as const;
export type BlockerStatus = (typeof BLOCKER_STATUSES)[number];

export type Actor = "owner" | "operator";
export type Mode = "transactional" | "snapshot_restore";
export type RehearsalVerdict = "PASS" | "FAIL" | "REFUSED";
export type GateVerdict = "ALLOW" | "HOLD" | "DENY";

export const GATE_REASONS = [
  "hold_default",
  "malformed_input",
  "schema_violation",
  "seal_invalid",
  "wrong_role_or_type",
  "expired",
  "replayed",
  "option_forbids",
  "blocker_open",
  "grant_missing",
  "grant_mismatched",
  "evidence_missing",
  "evidence_invalid",
  "internal_error",
] as const;
export type GateReason = (typeof GATE_REASONS)[number];

export const LANE_REASONS = [
  "malformed_input",
  "schema_violation",
  "artifact_mismatch",
  "refused_by_guard",
  "no_marker",
  "marker_invalid",
  "production_identity",
  "superuser",
  "refused_by_classifier",
  "no_change",
  "not_restored",
  "sequence_drift",
  "escape_detected",
  "server_error",
  "digest_incomplete",
  "restore_failed",
  "internal_error",
] as const;
export type LaneReason = (typeof LANE_REASONS)[number];

export interface Blocker {
  readonly id: string;
  readonly status: BlockerStatus;
  readonly actors: readonly Actor[];
  readonly gate: string;
}

export interface DecisionPacket {
  readonly kind: "decision-packet";
  readonly v: 1;
  readonly packet_id: string;
  readonly issued_at: string;
  readonly expires_at: string;
  readonly default: "HOLD_PRODUCTION";
  readonly selected: Option;
  readonly blockers: readonly Blocker[];
  readonly evidence: readonly string[];
}

export interface Grant {
  readonly kind: "grant";
  readonly v: 1;
  readonly grant_id: string;
  readonly packet_id: string;
  readonly action: Action;
  readonly target: "production";
  readonly nonce: string;
  readonly not_before: string;
  readonly expires_at: string;
  readonly artifact_sha256?: string;
}

export interface ActionRequest {
  readonly kind: "action-request";
  readonly v: 1;
  readonly request_id: string;
  readonly action: Action;
  readonly target: "production";
  readonly packet: string;
  readonly grants: readonly string[];
  readonly evidence?: string;
}

export interface VerdictDocument {
  readonly kind: "verdict";
  readonly v: 1;
  readonly verdict: GateVerdict;
  readonly reasons: readonly GateReason[];
  readonly request_id?: string;
  readonly permit?: string;
}

export interface Permit {
  readonly kind: "permit";
  readonly v: 1;
  readonly permit_id: string;
  readonly request_id: string;
  readonly packet_id: string;
  readonly action: Action;
  readonly target: "production";
  readonly grants: readonly string[];
  readonly issued_at: string;
  readonly expires_at: string;
}

export interface RehearsalRequest {
  readonly kind: "rehearsal-request";
  readonly v: 1;
  readonly rehearsal_id: string;
  readonly packet_id: string;
  readonly mode: Mode;
  readonly migration: string;
  readonly artifact_sha256: string;
}

export interface RehearsalResult {
  readonly kind: "rehearsal-result";
  readonly v: 1;
  readonly verdict: RehearsalVerdict;
  readonly reasons: readonly LaneReason[];
  readonly rehearsal_id?: string;
  readonly before?: string | null;
  readonly after_apply?: string | null;
  readonly after_rollback?: string | null;
  readonly evidence_tree?: string;
  readonly evidence?: string;
}

export interface EvidenceClaims {
  readonly kind: "evidence";
  readonly v: 1;
  readonly tree: string;
  readonly rehearsal_id: string;
  readonly packet_id: string;
  readonly artifact_sha256: string;
  readonly mode: Mode;
  readonly verdict: RehearsalVerdict;
  readonly reasons: readonly LaneReason[];
  readonly before: string | null;
  readonly after_apply: string | null;
  readonly after_rollback: string | null;
  readonly scope: "clone";
  readonly sealed_at: string;
}

export interface CloneMarker {
  readonly kind: "clone-marker";
  readonly v: 1;
  readonly marker_id: string;
  readonly clone: string;
  readonly database: string;
  readonly issued_at: string;
}

export interface JwsHeader {
  readonly alg: "EdDSA" | "HS256";
  readonly kid: string;
  readonly typ: SealType;
}

export interface DocumentsByKind {
  "decision-packet": DecisionPacket;
  grant: Grant;
  "action-request": ActionRequest;
  verdict: VerdictDocument;
  permit: Permit;
  "rehearsal-request": RehearsalRequest;
  "rehearsal-result": RehearsalResult;
  evidence: EvidenceClaims;
  "clone-marker": CloneMarker;
  "jws-header": JwsHeader;
}

export type DocumentKind = keyof DocumentsByKind;
export const DOCUMENT_KINDS = [
  "decision-packet",
  "grant",
  "action-request",
  "verdict",
  "permit",
  "rehearsal-request",
  "rehearsal-result",
  "evidence",
  "clone-marker",
  "jws-header",
] as const satisfies readonly DocumentKind[];

/** S4: each seal type names one document kind; artifacts are raw bytes, not documents. */
export const SEAL_TYPES = {
  "decision-packet+jws": "decision-packet",
  "grant+jws": "grant",
  "permit+jws": "permit",
  "evidence+jws": "evidence",
  "clone-marker+jws": "clone-marker",
  "artifact+jws": null,
} as const;
export type SealType = keyof typeof SEAL_TYPES;
export type SealedKind = Exclude<(typeof SEAL_TYPES)[SealType], null>;
