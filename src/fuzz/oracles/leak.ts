/**
 * F2, every probe: no key material and no seal the target should not have made, in any channel.
 *
 * Canaries are searched raw and encoded in the body, every header name and value, stdout, stderr,
 * every file (name and bytes) and every database row. Then every JWS-looking token that the probe
 * did not carry itself is verified against the keys under test:
 * - attacks: a seal by an owner or gate key is a leak (a permit, or a forged authority); a seal by
 *   the rehearsal key is one only as evidence of a PASS (FAIL and REFUSED evidence is expected on
 *   disk, C7; detached artifact seals over reports are the lane's normal output, S6);
 * - controls (and a scenario's setups and race copies, which must be allowed too): the permit
 *   belongs in the response body and nowhere else; an owner seal the probe did
 *   not carry is a leak whatever the verdict, because no component holds an owner key.
 */
import { assertNever } from "../../kernel/result.js";
import type { Oracle, OracleInput, OracleVerdict, Outcome } from "../types.js";
import { outputChannels, type Channel } from "./channels.js";
import { evidenceClaims, sealTypeOf } from "./seal-kind.js";
import { scannerFor } from "./scanner-cache.js";
import { findJwsTokens, inputCarries, type JwsToken } from "./tokens.js";

/** Each verification costs about 0.1 ms; a target spewing tokens must not stall the run. */
const MAX_TOKENS = 512;
/** Payload candidates a detached token is re-attached to (the body and the files written). */
const MAX_DETACHED_CANDIDATES = 32;

type SealRole = NonNullable<Awaited<ReturnType<OracleInput["sealedBy"]>>>;

interface Sighting {
  readonly token: JwsToken;
  readonly channels: Channel[];
}

function collectTokens(channels: readonly Channel[], carried: (signature: string) => boolean): Sighting[] {
  const sightings = new Map<string, Sighting>();
  for (const channel of channels) {
    for (const token of findJwsTokens(channel.data)) {
      if (carried(token.signature)) continue;
      const seen = sightings.get(token.text);
      if (seen === undefined) sightings.set(token.text, { token, channels: [channel] });
      else seen.channels.push(channel);
    }
  }
  return [...sightings.values()];
}

function detachedCandidates(outcome: Outcome): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (outcome.kind === "responded") out.push(outcome.body);
  if (outcome.kind !== "harness_error") out.push(...outcome.channels.files.values());
  return out.slice(0, MAX_DETACHED_CANDIDATES);
}

/**
 * Who sealed it; a detached token is tried against each payload it could be a seal over (S6): with
 * the key its header names over every payload first, then with every other key. A lane's artifact
 * seal names its key, so it is found in a few verifications instead of one per key and payload
 * (synchronous work on the run's main thread, which every probe in flight waits behind).
 */
async function signerOf(input: OracleInput, token: JwsToken): Promise<SealRole | undefined> {
  if (token.payload !== "") return input.sealedBy(token.text);
  const attachments = [
    token.text,
    ...detachedCandidates(input.outcome).map(
      (bytes) => `${token.header}.${Buffer.from(bytes).toString("base64url")}.${token.signature}`,
    ),
  ];
  for (const scope of ["named", "others"] as const)
    for (const attached of attachments) {
      const role = await input.sealedBy(attached, scope);
      if (role !== undefined) return role;
    }
  return undefined;
}

/** Where a token was seen, for findings: at most three channel labels. */
function whereSeen(channels: readonly Channel[]): string {
  const labels = [...new Set(channels.map((channel) => channel.label))];
  return labels.length > 3
    ? `${labels.slice(0, 3).join(", ")} and ${labels.length - 3} more`
    : labels.join(", ");
}

/** Why this seal is a leak for this probe, or undefined when it is expected. */
function sealProblem(input: OracleInput, role: SealRole, sighting: Sighting): string | undefined {
  const { token, channels } = sighting;
  const typ = sealTypeOf(token);
  const where = whereSeen(channels);
  // A request that must be allowed (a control, a scenario's setup, a race copy) rightly gets a permit.
  const control = input.expectation !== "attack";
  switch (role) {
    case "owner":
      return `seal by an owner key (${typ}) in ${where}`;
    case "gate": {
      // A decide control's permit is the answer itself; anywhere else a permit is a bearer token loose.
      const stray = channels.filter((channel) => !channel.isBody);
      if (control && input.probe.operation === "decide" && stray.length === 0) return undefined;
      return control && stray.length > 0
        ? `seal by a gate key (${typ}) outside the response body, in ${whereSeen(stray)}`
        : `seal by a gate key (${typ}) in ${where}`;
    }
    case "rehearsal": {
      if (control || token.payload === "") return undefined;
      const claims = evidenceClaims(token);
      if (claims === undefined)
        return `seal by a rehearsal key over a payload that is not strict evidence (${typ}) in ${where}`;
      return claims.verdict === "PASS" ? `evidence seal with verdict PASS in ${where}` : undefined;
    }
    case "operator":
      return undefined;
    default:
      // sealedBy answered a role outside the contract: an error, never a silent pass.
      return assertNever(role, "sealing role");
  }
}

async function judge(input: OracleInput): Promise<OracleVerdict> {
  if (input.canaries.length === 0)
    return { kind: "error", detail: "no canaries planted in the keyring under test: F2 cannot be judged" };
  const scan = scannerFor(input.canaries);
  const channels = outputChannels(input.outcome, scan);
  for (const channel of channels) {
    const hit = scan(channel.data);
    if (hit !== undefined) return { kind: "fail", reason: `${hit} in ${channel.label}` };
  }
  if (input.outcome.kind === "harness_error")
    return { kind: "error", detail: "harness error: no output to judge beyond its detail" };
  const sightings = collectTokens(channels, inputCarries(input.probe.bytes));
  if (sightings.length > MAX_TOKENS)
    return {
      kind: "error",
      detail: `${sightings.length} JWS-looking tokens in the output, over ${MAX_TOKENS}`,
    };
  for (const sighting of sightings) {
    const role = await signerOf(input, sighting.token);
    if (role === undefined) continue;
    const problem = sealProblem(input, role, sighting);
    if (problem !== undefined) return { kind: "fail", reason: problem };
  }
  return { kind: "pass" };
}

export const leakOracle: Oracle = { name: "leak", rule: "F2", appliesTo: "all", judge };
