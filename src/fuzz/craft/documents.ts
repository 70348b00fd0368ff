import { createHash } from "node:crypto";
import { formatTimestamp } from "../../lane/index.js";
import type {
  Action,
  ActionRequest,
  DecisionPacket,
  EvidenceClaims,
  Grant,
  Option,
  RehearsalRequest,
} from "../../lane/index.js";
import type { FamilyContext } from "../types.js";
import { markerFor } from "./markers.js";

/**
 * Valid documents relative to the run's clock. Nonces and ids are derived from a per-probe label
 * and the run's salt: the same seed gives the same bytes, and another run's grants never collide.
 */
export function nonceFor(ctx: FamilyContext, label: string): string {
  return createHash("sha256")
    .update(`nonce\0${ctx.salt}\0${label}`)
    .digest()
    .subarray(0, 18)
    .toString("base64url");
}

export function idFor(ctx: FamilyContext, prefix: string, label: string): string {
  return `${prefix}-${createHash("sha256").update(`id\0${ctx.salt}\0${label}`).digest("hex").slice(0, 20)}`;
}

/**
 * A request's request_id is an echo marker (markers.ts): an identifier R11 accepts, whose bytes
 * are free, so an answer or a log that carries it for a request the codec refused is found (G7).
 */
export function requestIdFor(ctx: FamilyContext, label: string): string {
  return markerFor("request_id", ctx.salt, label);
}

export const PACKET_ID = "FIX7-P0-2026-06-12";

export function validPacket(
  ctx: FamilyContext,
  selected: Option,
  overrides: Partial<DecisionPacket> = {},
): DecisionPacket {
  return {
    kind: "decision-packet",
    v: 1,
    packet_id: PACKET_ID,
    issued_at: formatTimestamp(ctx.now - 3600),
    expires_at: formatTimestamp(ctx.now + 7 * 24 * 3600),
    default: "HOLD_PRODUCTION",
    selected,
    blockers: [
      {
        id: "FIX7-P0-PLAN-REALRUN-1",
        status: "DISCHARGED",
        actors: ["owner"],
        gate: "separate REAL_RUN grant",
      },
      {
        id: "FIX7-P0-PLAN-SEPARATE-AUTH-1",
        status: "DISCHARGED",
        actors: ["owner"],
        gate: "distinct grant per QT001-apply/permit/activation/repoint/cutover",
      },
    ],
    evidence: [],
    ...overrides,
  };
}

export function validGrant(
  ctx: FamilyContext,
  action: Action,
  label: string,
  overrides: Partial<Grant> = {},
): Grant {
  return {
    kind: "grant",
    v: 1,
    grant_id: idFor(ctx, "grant", label),
    packet_id: PACKET_ID,
    action,
    target: "production",
    nonce: nonceFor(ctx, label),
    not_before: formatTimestamp(ctx.now - 600),
    expires_at: formatTimestamp(ctx.now + 6 * 3600),
    ...overrides,
  };
}

export function request(
  ctx: FamilyContext,
  label: string,
  action: Action,
  packet: string,
  grants: readonly string[],
  evidence?: string,
): ActionRequest {
  return {
    kind: "action-request",
    v: 1,
    request_id: requestIdFor(ctx, label),
    action,
    target: "production",
    packet,
    grants,
    ...(evidence === undefined ? {} : { evidence }),
  };
}

export function rehearsalRequest(
  ctx: FamilyContext,
  label: string,
  mode: RehearsalRequest["mode"],
  migration: string,
): RehearsalRequest {
  return {
    kind: "rehearsal-request",
    v: 1,
    rehearsal_id: idFor(ctx, "rh", label),
    packet_id: PACKET_ID,
    mode,
    migration,
    artifact_sha256: createHash("sha256").update(migration, "utf8").digest("hex"),
  };
}

/** Evidence claims of a passing rehearsal, for QT001_APPLY requests. */
export function passingEvidence(
  ctx: FamilyContext,
  label: string,
  artifactSha256: string,
  tree: string,
  packetId: string,
): EvidenceClaims {
  const digest = (what: string): string =>
    createHash("sha256").update(`${ctx.salt}\0${label}\0${what}`).digest("hex");
  const before = digest("before");
  return {
    kind: "evidence",
    v: 1,
    tree,
    rehearsal_id: idFor(ctx, "rh", label),
    packet_id: packetId,
    artifact_sha256: artifactSha256,
    mode: "transactional",
    verdict: "PASS",
    reasons: [],
    before,
    after_apply: digest("after"),
    after_rollback: before,
    scope: "clone",
    sealed_at: formatTimestamp(ctx.now - 60),
  };
}
