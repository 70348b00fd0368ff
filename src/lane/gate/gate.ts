import type { VerdictDocument } from "../codec/documents.js";
import { decodeDocument } from "../codec/decode.js";
import { isMalformed } from "../codec/rejection.js";
import { FailclosedError } from "../errors.js";
import { assertNever } from "../result.js";
import { requireSigner, requireVerifier, type Keyring } from "../seal/keyring.js";
import { authorize } from "./authorize.js";
import { type Clock, systemClock } from "./clock.js";
import type { Ledger, RefusalEntry } from "./ledger-types.js";
import { issuePermit } from "./permit.js";
import { allowed, refusal, verdictBytes } from "./verdict.js";

export interface GateConfig {
  readonly keyring: Keyring;
  readonly ledger: Ledger;
  readonly clock?: Clock;
  /** R9: tolerance for an issuer's clock running ahead, 0 to 300 s (default 60). */
  readonly skewSeconds?: number;
  /** G5: at most 900 s (the default). */
  readonly permitLifetimeSeconds?: number;
  /** G6: a decision that takes longer is a DENY (default 10 s). */
  readonly timeoutMs?: number;
  /** Which gate key seals permits when the keyring holds several. */
  readonly gateKid?: string;
}

export interface GateDecision {
  readonly verdict: VerdictDocument;
  /** The verdict as strict JSON, exactly what every transport sends. */
  readonly bytes: Uint8Array;
}

export interface Gate {
  /** Request bytes in, verdict out. Never throws and never rejects. */
  decide(bytes: Uint8Array): Promise<GateDecision>;
}

function settings(config: GateConfig) {
  const skewSeconds = config.skewSeconds ?? 60;
  const permitLifetimeSeconds = config.permitLifetimeSeconds ?? 900;
  const timeoutMs = config.timeoutMs ?? 10_000;
  if (!Number.isInteger(skewSeconds) || skewSeconds < 0 || skewSeconds > 300) {
    throw new FailclosedError(
      "CONFIG_INVALID",
      "skew tolerance must be a whole number of seconds from 0 to 300 (R9)",
    );
  }
  if (!Number.isInteger(permitLifetimeSeconds) || permitLifetimeSeconds < 1 || permitLifetimeSeconds > 900) {
    throw new FailclosedError("CONFIG_INVALID", "permit lifetime must be 1 to 900 seconds (G5)");
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new FailclosedError("CONFIG_INVALID", "timeout must be positive");
  return { skewSeconds, permitLifetimeSeconds, timeoutMs };
}

function decision(verdict: VerdictDocument): GateDecision {
  return { verdict, bytes: verdictBytes(verdict) };
}

const INTERNAL_DENY = (): GateDecision => decision(refusal("DENY", ["internal_error"]));

/**
 * The gate (SPEC section 5). Refuses to start without a gate signing key and the owner and
 * rehearsal keys it verifies with (S7).
 */
export function createGate(config: GateConfig): Gate {
  const { skewSeconds, permitLifetimeSeconds, timeoutMs } = settings(config);
  const gateKey = requireSigner(config.keyring, "gate", config.gateKid);
  requireVerifier(config.keyring, "owner");
  requireVerifier(config.keyring, "rehearsal");
  const clock = config.clock ?? systemClock;
  const { ledger, keyring } = config;

  async function refuse(
    verdict: "HOLD" | "DENY",
    reasons: VerdictDocument["reasons"],
    context: Omit<RefusalEntry, "verdict" | "reasons">,
  ): Promise<GateDecision> {
    const recorded = await ledger.recordRefusal({ ...context, verdict, reasons });
    // G6: a HOLD that could not be audited is no longer a clean HOLD: the dependency failed.
    if (!recorded.ok) return decision(refusal("DENY", [...reasons, "internal_error"], context.requestId));
    return decision(refusal(verdict, reasons, context.requestId));
  }

  async function decideChecked(bytes: Uint8Array): Promise<GateDecision> {
    const decoded = decodeDocument("action-request", bytes);
    if (!decoded.ok)
      return refuse("DENY", [isMalformed(decoded.error.code) ? "malformed_input" : "schema_violation"], {});
    const request = decoded.value;
    const now = clock.now();
    const outcome = await authorize(request, { keyring, now, skewSeconds });
    const requestId = request.request_id;
    const action = request.action;
    switch (outcome.kind) {
      case "hold":
        return refuse("HOLD", ["hold_default"], { requestId, action, packetId: outcome.packet.packet_id });
      case "deny":
        return refuse("DENY", outcome.reasons, {
          requestId,
          action,
          ...(outcome.packetId === undefined ? {} : { packetId: outcome.packetId }),
        });
      case "allow": {
        const issued = await issuePermit(
          gateKey,
          requestId,
          outcome.packet,
          outcome.grants,
          request.action,
          now,
          permitLifetimeSeconds,
        );
        const committed = await ledger.commitAllow({
          requestId,
          packetId: outcome.packet.packet_id,
          action: request.action,
          permitId: issued.permit.permit_id,
          grants: outcome.grants.map((g) => ({ grantId: g.grant_id, nonce: g.nonce })),
          reasons: [],
        });
        // The ledger has audited a failed commit itself; the permit is dropped unseen.
        if (!committed.ok) return decision(refusal("DENY", [committed.error], requestId));
        return decision(allowed(requestId, issued.jws));
      }
      default:
        return assertNever(outcome, "authorization");
    }
  }

  return {
    async decide(bytes: Uint8Array): Promise<GateDecision> {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<GateDecision>((resolve) => {
        timer = setTimeout(() => resolve(INTERNAL_DENY()), timeoutMs);
      });
      const work = decideChecked(bytes).catch(() => INTERNAL_DENY());
      try {
        return await Promise.race([work, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
