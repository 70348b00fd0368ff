/**
 * Valid example documents of every kind, with every timestamp placed relative to one fixed instant
 * so that no test depends on the machine's clock (the codec is clock-free; R9's window rules are
 * checked between two timestamps of the same document).
 */
import { createHash } from "node:crypto";
import type { DocumentKind, DocumentsByKind } from "../../src/lane/codec/index.js";
import { formatTimestamp, timestampSeconds } from "../../src/lane/codec/index.js";

/** The instant every example document is built around. */
export const FIXED_NOW = "2030-01-15T12:00:00Z";
export const FIXED_NOW_SECONDS = timestampSeconds(FIXED_NOW);

/** A timestamp `offsetSeconds` away from FIXED_NOW, in the protocol's exact format. */
export function at(offsetSeconds: number): string {
  return formatTimestamp(FIXED_NOW_SECONDS + offsetSeconds);
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "utf8"));
}

/** The bytes a well-behaved peer would send for this value (plain JSON.stringify, UTF-8). */
export function docBytes(doc: unknown): Uint8Array {
  return utf8(JSON.stringify(doc));
}

export const MIGRATION_SQL = "CREATE TABLE qt001_accounts (id bigint PRIMARY KEY, label text NOT NULL);\n";
export const MIGRATION_SHA256 = sha256Hex(MIGRATION_SQL);
/** A fixed 32-byte nonce, canonical base64url (43 characters). */
export const NONCE_32 = Buffer.alloc(32, 7).toString("base64url");
/** Shaped like compact JWS strings; the codec only checks their syntax, never their seal. */
export const FAKE_JWS = "eyJhbGciOiJFZERTQSJ9.eyJraW5kIjoiZ3JhbnQifQ.c2lnbmF0dXJl";
export const FAKE_JWS_2 = "eyJhbGciOiJFZERTQSJ9.eyJraW5kIjoiZ3JhbnQiLCJ2IjoxfQ.c2lnbmF0dXJlMg";
export const DIGEST_BEFORE = sha256Hex("before");
export const DIGEST_AFTER = sha256Hex("after");
export const TREE_ID = sha256Hex("tree");

export function examplePacket(): DocumentsByKind["decision-packet"] {
  return {
    kind: "decision-packet",
    v: 1,
    packet_id: "PKT-2030-0001",
    issued_at: at(-3600),
    expires_at: at(7 * 86_400),
    default: "HOLD_PRODUCTION",
    selected: "AUTHORIZE_PRODUCTION_EXECUTION",
    blockers: [
      {
        id: "B-1",
        status: "DISCHARGED",
        actors: ["owner", "operator"],
        gate: "migration rehearsed on a clone",
      },
      { id: "B-2", status: "DISCHARGED", actors: ["owner"], gate: "rollback plan reviewed" },
    ],
    evidence: [TREE_ID],
  };
}

export function exampleGrant(
  action: DocumentsByKind["grant"]["action"] = "REAL_RUN",
  grantId = "grant-1",
): DocumentsByKind["grant"] {
  const base = {
    kind: "grant",
    v: 1,
    grant_id: grantId,
    packet_id: "PKT-2030-0001",
    action,
    target: "production",
    nonce: NONCE_32,
    not_before: at(-60),
    expires_at: at(3600),
  } as const;
  // The schema's if/then/else: artifact_sha256 exactly when the action is QT001_APPLY.
  return action === "QT001_APPLY" ? { ...base, artifact_sha256: MIGRATION_SHA256 } : base;
}

export function exampleActionRequest(
  action: DocumentsByKind["action-request"]["action"] = "REAL_RUN",
): DocumentsByKind["action-request"] {
  const base = {
    kind: "action-request",
    v: 1,
    request_id: "req-0001",
    action,
    target: "production",
    packet: FAKE_JWS,
    grants: [FAKE_JWS, FAKE_JWS_2],
  } as const;
  return action === "QT001_APPLY" ? { ...base, evidence: FAKE_JWS } : base;
}

export function exampleVerdict(): DocumentsByKind["verdict"] {
  return { kind: "verdict", v: 1, verdict: "DENY", reasons: ["seal_invalid"], request_id: "req-0001" };
}

export function exampleAllowVerdict(): DocumentsByKind["verdict"] {
  return { kind: "verdict", v: 1, verdict: "ALLOW", reasons: [], request_id: "req-0001", permit: FAKE_JWS };
}

export function examplePermit(): DocumentsByKind["permit"] {
  return {
    kind: "permit",
    v: 1,
    permit_id: "permit-0001",
    request_id: "req-0001",
    packet_id: "PKT-2030-0001",
    action: "REAL_RUN",
    target: "production",
    grants: ["grant-1", "grant-2"],
    issued_at: at(0),
    expires_at: at(600),
  };
}

export function exampleRehearsalRequest(): DocumentsByKind["rehearsal-request"] {
  return {
    kind: "rehearsal-request",
    v: 1,
    rehearsal_id: "reh-0001",
    packet_id: "PKT-2030-0001",
    mode: "transactional",
    migration: MIGRATION_SQL,
    artifact_sha256: MIGRATION_SHA256,
  };
}

export function exampleRehearsalResult(): DocumentsByKind["rehearsal-result"] {
  return {
    kind: "rehearsal-result",
    v: 1,
    verdict: "PASS",
    reasons: [],
    rehearsal_id: "reh-0001",
    before: DIGEST_BEFORE,
    after_apply: DIGEST_AFTER,
    after_rollback: DIGEST_BEFORE,
    evidence_tree: TREE_ID,
    evidence: FAKE_JWS,
  };
}

export function exampleEvidence(): DocumentsByKind["evidence"] {
  return {
    kind: "evidence",
    v: 1,
    tree: TREE_ID,
    rehearsal_id: "reh-0001",
    packet_id: "PKT-2030-0001",
    artifact_sha256: MIGRATION_SHA256,
    mode: "transactional",
    verdict: "PASS",
    reasons: [],
    before: DIGEST_BEFORE,
    after_apply: DIGEST_AFTER,
    after_rollback: DIGEST_BEFORE,
    scope: "clone",
    sealed_at: at(0),
  };
}

export function exampleCloneMarker(): DocumentsByKind["clone-marker"] {
  return {
    kind: "clone-marker",
    v: 1,
    marker_id: "marker-0001",
    clone: "clone-qt001",
    database: "qt001_clone",
    issued_at: at(-86_400),
  };
}

export function exampleJwsHeader(): DocumentsByKind["jws-header"] {
  return { alg: "EdDSA", kid: "owner-0001", typ: "grant+jws" };
}

/** One valid example per document kind; a fresh object on every call. */
export const EXAMPLES: { readonly [K in DocumentKind]: () => DocumentsByKind[K] } = {
  "decision-packet": examplePacket,
  grant: exampleGrant,
  "action-request": exampleActionRequest,
  verdict: exampleVerdict,
  permit: examplePermit,
  "rehearsal-request": exampleRehearsalRequest,
  "rehearsal-result": exampleRehearsalResult,
  evidence: exampleEvidence,
  "clone-marker": exampleCloneMarker,
  "jws-header": exampleJwsHeader,
};

/** A copy of `doc` with members replaced or added: for building invalid documents on purpose. */
export function withMembers(doc: object, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...(doc as Record<string, unknown>), ...patch };
}

/** A copy of `doc` without `member`. */
export function withoutMember(doc: object, member: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(doc as Record<string, unknown>) };
  delete copy[member];
  return copy;
}
