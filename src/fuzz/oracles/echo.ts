/**
 * G7 and F2, every probe: an answer echoes no byte of its input, and carries the request's id only
 * when the request passed the codec.
 *
 * - G7 exact: a verdict's `request_id` (a rehearsal result's `rehearsal_id`) is present only when
 *   the strict codec accepts the request, and then equals the one sent. A refusal that scraped an
 *   identifier out of a request the codec refused is a finding, though the document is strict.
 * - Echo markers: the probe's bytes carry unique markers (craft/markers.ts: its request_id, a
 *   comment in its migration), searched for raw and encoded, as canaries are, in the body, every
 *   header, stdout, stderr, every file and every audit row. The one marker that may come back is the
 *   request_id of a request the codec accepted (in the answer, in the audit log); and the
 *   evidence's copy of the migration (`migration.sql`, E1) holds the migration's markers by design.
 *
 * Whether the request passed the codec is read with the strict codec of SPEC section 1 (the same
 * one the answer is decoded with), never from the target's answer.
 */
import { basename } from "node:path";
import { decodeDocument } from "../../lane/index.js";
import { makeScanner, type CanaryScanner } from "../canary/scanner.js";
import { plantedMarkers } from "../craft/markers.js";
import type { AnswerDocument, Oracle, OracleInput, OracleVerdict, Outcome, Probe } from "../types.js";
import { outputChannels } from "./channels.js";
import { scannerFor } from "./scanner-cache.js";

/** What the strict codec makes of the request: its id when it accepts it. */
type Sent = { readonly kind: "accepted"; readonly id: string } | { readonly kind: "refused" };

function sentOf(probe: Probe): Sent {
  const decoded =
    probe.operation === "decide"
      ? decodeDocument("action-request", probe.bytes)
      : decodeDocument("rehearsal-request", probe.bytes);
  if (!decoded.ok) return { kind: "refused" };
  const request = decoded.value;
  return {
    kind: "accepted",
    id: request.kind === "action-request" ? request.request_id : request.rehearsal_id,
  };
}

function idMember(doc: AnswerDocument): { readonly name: string; readonly value: string | undefined } {
  return doc.kind === "verdict"
    ? { name: "request_id", value: doc.request_id }
    : { name: "rehearsal_id", value: doc.rehearsal_id };
}

/** G7 exact: the answer's id is the sent one, and there is none for a request the codec refused. */
function idProblem(doc: AnswerDocument, sent: () => Sent): string | undefined {
  const { name, value } = idMember(doc);
  if (value === undefined) return undefined;
  const request = sent();
  switch (request.kind) {
    case "refused":
      return `G7: the ${doc.verdict} carries a ${name} although the codec refused the request (an identifier scraped from refused bytes)`;
    case "accepted":
      return value === request.id
        ? undefined
        : `G7: the ${doc.verdict} carries a ${name} the request did not send`;
  }
}

/** The evidence's copy of the migration: the one place a migration's bytes belong (E1). */
function migrationCopies(outcome: Exclude<Outcome, { kind: "harness_error" }>): Set<Uint8Array> {
  const copies = new Set<Uint8Array>();
  for (const [path, bytes] of outcome.channels.files)
    if (basename(path) === "migration.sql") copies.add(bytes);
  return copies;
}

const HIT = /^canary #(\d+) \(([^)]*)\)(.*)$/;

/** The scanner's label (`canary #i (encoding)`) in marker terms, naming the marker: it is no secret. */
function markerHit(label: string, markers: readonly string[]): string {
  const match = HIT.exec(label);
  const marker = markers[Number(match?.[1])];
  return marker === undefined
    ? `an echo marker (${label})`
    : `echo marker ${marker} (${match?.[2]}${match?.[3]})`;
}

/** The first channel (outside the evidence's migration) where the scanner hits, with its hit. */
function firstSighting(
  outcome: Exclude<Outcome, { kind: "harness_error" }>,
  scan: CanaryScanner,
  labelScan: CanaryScanner,
): { readonly hit: string; readonly where: string } | undefined {
  const copies = migrationCopies(outcome);
  for (const channel of outputChannels(outcome, labelScan)) {
    if (typeof channel.data !== "string" && copies.has(channel.data)) continue;
    const hit = scan(channel.data);
    if (hit !== undefined) return { hit, where: channel.label };
  }
  return undefined;
}

function echoProblem(input: OracleInput, markers: readonly string[], sent: () => Sent): string | undefined {
  const { outcome } = input;
  if (outcome.kind === "harness_error") return undefined;
  const canaries = input.canaries.length === 0 ? undefined : scannerFor(input.canaries);
  const labelScanWith =
    (scan: CanaryScanner): CanaryScanner =>
    // Channel labels name a header or a path only when neither a canary nor a marker is in it.
    (text) =>
      canaries?.(text) ?? scan(text);
  // Most answers hold no marker at all: then the request need not be decoded to tell which may.
  const anyMarker = makeScanner(markers);
  if (firstSighting(outcome, anyMarker, labelScanWith(anyMarker)) === undefined) return undefined;
  const request = sent();
  // The request_id of an accepted request belongs in its answer and its audit row.
  const forbidden = request.kind === "accepted" ? markers.filter((m) => !request.id.includes(m)) : markers;
  if (forbidden.length === 0) return undefined;
  const scan = forbidden.length === markers.length ? anyMarker : makeScanner(forbidden);
  const sighting = firstSighting(outcome, scan, labelScanWith(scan));
  if (sighting === undefined) return undefined;
  const from = request.kind === "refused" ? "a request the codec refused" : "the request";
  return `G7: ${markerHit(sighting.hit, forbidden)} from ${from} echoed in ${sighting.where}`;
}

function judgeSync(input: OracleInput): OracleVerdict {
  const { outcome, probe, answer } = input;
  if (outcome.kind === "harness_error") return { kind: "error", detail: "harness error: no answer to judge" };
  let sent: Sent | undefined;
  // Decoding a request costs up to milliseconds (a rehearsal's migration is up to 1 MiB): only
  // when an id came back or a marker must be told apart.
  const sentOnce = (): Sent => (sent ??= sentOf(probe));
  if (answer.kind === "document") {
    const problem = idProblem(answer.document, sentOnce);
    if (problem !== undefined) return { kind: "fail", reason: problem };
  }
  const markers = plantedMarkers(probe.bytes);
  if (markers.length === 0) return { kind: "pass" };
  const problem = echoProblem(input, markers, sentOnce);
  return problem === undefined ? { kind: "pass" } : { kind: "fail", reason: problem };
}

export const echoOracle: Oracle = {
  name: "echo",
  rule: "F2",
  appliesTo: "all",
  judge: (input) => Promise.resolve(judgeSync(input)),
};
