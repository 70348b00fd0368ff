/**
 * Answers one request of the reference lane over the transport its bytes pick (transport-choice.ts)
 * and, for a gate request refused there (one in COPY_EVERY, picked by the bytes too), fires the
 * same bytes over the two other transports, for the differential oracle (T1-T3: each answers the
 * same bytes the same way).
 *
 * Only refusals are copied: a refusal changes nothing but the audit log (G8), so each copy meets
 * the very ledger state the first answer met, and any difference is the transport's. An ALLOW has
 * spent its grants (G5): a copy would be denied as a replay, rightly, and prove nothing. The
 * expensive rehearsals are never copied: each goes over one transport, a third of them each.
 */
import { decodeDocument } from "../../lane/index.js";
import type { Outcome, Transport } from "../types.js";
import type { Firing, Reply } from "./in-process.js";
import type { ServedSystem } from "./served.js";
import { otherTransports, transportPlan } from "./transport-choice.js";

/**
 * The time the carrying transport is given beyond the probe's limit: the in-process target's own
 * race ends the probe at its limit (and replaces the generation), not a transport's timer.
 */
const TRANSPORT_SLACK_MS = 1_000;

function replyOf(transport: Transport, outcome: Outcome): Reply {
  switch (outcome.kind) {
    case "responded":
      return {
        body: outcome.body,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        headers: outcome.headers,
        transport,
      };
    case "crashed":
      throw new Error(`over ${transport}: ${outcome.detail}`);
    case "timed_out":
      throw new Error(`over ${transport}: no answer within ${Math.round(outcome.elapsedMs)} ms`);
    case "harness_error":
      throw new Error(`over ${transport}: ${outcome.detail}`);
  }
}

/** A strict verdict document that refuses (HOLD or DENY): what may be copied. */
function isRefusal(body: Uint8Array): boolean {
  const decoded = decodeDocument("verdict", body);
  return decoded.ok && decoded.value.verdict !== "ALLOW";
}

export async function answerOverTransports(
  served: ServedSystem,
  operation: "decide" | "rehearse",
  bytes: Uint8Array,
  firing: Firing,
): Promise<Reply> {
  const plan = transportPlan(bytes);
  const transport = plan.transport;
  const reply = replyOf(
    transport,
    await served.fire(transport, operation, bytes, firing.timeoutMs + TRANSPORT_SLACK_MS),
  );
  if (!firing.copies || operation !== "decide" || !plan.copiedWhenRefused || !isRefusal(reply.body))
    return reply;
  // One after the other: the gate serialises on its embedded ledger anyway, and a copy's answer
  // must not race the other's audit entry.
  const copies = [];
  for (const other of otherTransports(transport))
    copies.push({ transport: other, outcome: await served.fire(other, operation, bytes, firing.timeoutMs) });
  return { ...reply, copies };
}
