import type { VerdictDocument } from "../codec/documents.js";
import { isMalformed } from "../codec/rejection.js";
import { FailclosedError } from "../../kernel/errors.js";
import { assertNever } from "../../kernel/result.js";
import { requireSigner, requireVerifier, type Keyring } from "../seal/keyring.js";
import { authorize } from "./authorize.js";
import { type Clock, systemClock } from "../../kernel/clock.js";
import { type GateComponents, gateComponents } from "./components.js";
import type { Ledger, RefusalEntry } from "./ledger/types.js";
import { issuePermit } from "./permit.js";
import { allowed, refusal } from "./verdict.js";

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
  /**
   * Parts swapped for flawed ones, for tests that prove the fuzzer catches a flawed codec, seal
   * check, policy check, ledger or verdict writer (components.ts); production passes none.
   */
  readonly components?: Partial<GateComponents>;
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

/** Turns a verdict into a decision: the bytes every transport sends in answer to one request. */
type Answer = (verdict: VerdictDocument) => GateDecision;

const INTERNAL_DENY = (answer: Answer): GateDecision => answer(refusal("DENY", ["internal_error"]));

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
  const parts = gateComponents(config.components);
  const ledger = parts.ledger(config.ledger);
  const { keyring } = config;

  const answerFor =
    (request: Uint8Array): Answer =>
    (verdict) => ({ verdict, bytes: parts.writeVerdict(verdict, request) });

  async function refuse(
    answer: Answer,
    verdict: "HOLD" | "DENY",
    reasons: VerdictDocument["reasons"],
    context: Omit<RefusalEntry, "verdict" | "reasons">,
  ): Promise<GateDecision> {
    const recorded = await ledger.recordRefusal({ ...context, verdict, reasons });
    // G6: a HOLD that could not be audited is no longer a clean HOLD: the dependency failed.
    if (!recorded.ok) return answer(refusal("DENY", [...reasons, "internal_error"], context.requestId));
    return answer(refusal(verdict, reasons, context.requestId));
  }

  async function decideChecked(bytes: Uint8Array, phase: Phase, answer: Answer): Promise<GateDecision> {
    const decoded = parts.decodeRequest(bytes);
    if (!decoded.ok)
      return refuse(
        answer,
        "DENY",
        [isMalformed(decoded.error.code) ? "malformed_input" : "schema_violation"],
        {},
      );
    const request = decoded.value;
    const now = clock.now();
    const outcome = await authorize(request, { keyring, now, skewSeconds, components: parts });
    const requestId = request.request_id;
    const action = request.action;
    switch (outcome.kind) {
      case "hold":
        return refuse(answer, "HOLD", ["hold_default"], {
          requestId,
          action,
          packetId: outcome.packet.packet_id,
        });
      case "deny":
        return refuse(answer, "DENY", outcome.reasons, {
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
        const committed = await ledger.commitAllow(
          {
            requestId,
            packetId: outcome.packet.packet_id,
            action: request.action,
            permitId: issued.permit.permit_id,
            grants: outcome.grants.map((g) => ({ grantId: g.grant_id, nonce: g.nonce })),
            reasons: [],
          },
          {
            // Synchronous with the deadline's check below: either the deadline passed first and
            // the ledger rolls back, or the commit is under way and its outcome decides.
            beforeCommit: () => {
              if (phase.timedOut) return false;
              phase.committing = true;
              return true;
            },
          },
        );
        // The ledger has audited a failed commit itself; the permit is dropped unseen.
        if (!committed.ok) return answer(refusal("DENY", [committed.error], requestId));
        return answer(allowed(requestId, issued.jws));
      }
      default:
        return assertNever(outcome, "authorization");
    }
  }

  /** G6: a failure the gate could not attribute still leaves a trace in the audit log. */
  async function auditInternalError(): Promise<void> {
    await ledger.recordRefusal({ verdict: "DENY", reasons: ["internal_error"] }).catch(() => undefined);
  }

  return {
    async decide(bytes: Uint8Array): Promise<GateDecision> {
      const phase: Phase = { committing: false, timedOut: false };
      const answer = answerFor(bytes);
      const work = decideChecked(bytes, phase, answer).catch(async () => {
        if (!phase.committing) await auditInternalError();
        return INTERNAL_DENY(answer);
      });
      const first = await raceDeadline(work, timeoutMs);
      if (first !== "timeout") return first;
      phase.timedOut = true;
      // Once the commit has begun, its outcome decides: answering DENY while the grants end up
      // consumed and an ALLOW audited would make the answer and the ledger disagree (G8). Only a
      // database that hangs past the grace period still ends in DENY.
      if (phase.committing) {
        const late = await raceDeadline(work, COMMIT_GRACE_MS);
        if (late !== "timeout") return late;
        return INTERNAL_DENY(answer);
      }
      // Not awaited: the dependency that made the decision late may never answer this either.
      void auditInternalError();
      return INTERNAL_DENY(answer);
    },
  };
}

/** Where a decision stands when its deadline comes. */
interface Phase {
  committing: boolean;
  timedOut: boolean;
}

/** How long a commit already under way may take past the decision's deadline. */
const COMMIT_GRACE_MS = 30_000;

async function raceDeadline<T>(work: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
