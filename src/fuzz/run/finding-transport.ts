/**
 * Which transport a finding of the reference lane went over, for its record: the engine names
 * the target only, and the transport follows from the bytes (targets/transport-choice.ts), so it
 * is the one the confirmation fired on and the one `failclosed replay` fires on again.
 */
import { TRANSPORT_LABELS, otherTransports, transportFor } from "../targets/transport-choice.js";
import type { Finding, Transport } from "../types.js";

function labels(transports: readonly Transport[]): string {
  return transports.map((transport) => TRANSPORT_LABELS[transport]).join(", ");
}

export function findingTransport(finding: Finding): string {
  // A clone probe (P07) rehearses on a clone built for it, in process.
  if (finding.cloneSetup !== undefined) return `over ${TRANSPORT_LABELS["in-process"]}`;
  // A fault drill fires at a component of its own, in process, with the fault provoked.
  if (finding.fault !== undefined)
    return `over ${TRANSPORT_LABELS["in-process"]}, under fault ${finding.fault}`;
  if (finding.steps !== undefined) {
    const used = new Set(finding.steps.map((step) => transportFor(Buffer.from(step.bytesB64, "base64"))));
    return `steps over ${labels([...used].sort())}`;
  }
  const primary = transportFor(Buffer.from(finding.bytesB64, "base64"));
  return finding.oracle === "differential"
    ? `over ${TRANSPORT_LABELS[primary]}, then ${labels(otherTransports(primary))}`
    : `over ${TRANSPORT_LABELS[primary]}`;
}

/** The finding's target with its transport, once (a saved failure may carry it already). */
export function withTransport(finding: Finding): Finding {
  const transport = findingTransport(finding);
  return finding.target.endsWith(transport)
    ? finding
    : { ...finding, target: `${finding.target} ${transport}` };
}
