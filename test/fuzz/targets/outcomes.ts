/** Assertions on Outcomes shared by the target tests. */
import type { Outcome } from "../../../src/fuzz/types.js";

export type Responded = Extract<Outcome, { kind: "responded" }>;

function summary(outcome: Outcome): string {
  switch (outcome.kind) {
    case "responded":
      return `responded ${outcome.status ?? ""} ${Buffer.from(outcome.body).toString("utf8")}`;
    case "crashed":
      return `crashed: ${outcome.detail} (stderr: ${outcome.channels.stderr})`;
    case "timed_out":
      return `timed out after ${outcome.elapsedMs} ms`;
    case "harness_error":
      return `harness error: ${outcome.detail}`;
  }
}

export function responded(outcome: Outcome): Responded {
  if (outcome.kind !== "responded") throw new Error(`expected an answer, got ${summary(outcome)}`);
  return outcome;
}

export function kindOf<K extends Outcome["kind"]>(outcome: Outcome, kind: K): Extract<Outcome, { kind: K }> {
  if (outcome.kind !== kind) throw new Error(`expected ${kind}, got ${summary(outcome)}`);
  return outcome as Extract<Outcome, { kind: K }>;
}

export function bodyText(outcome: Outcome): string {
  return Buffer.from(responded(outcome).body).toString("utf8");
}

export function bodyJson(outcome: Outcome): Record<string, unknown> {
  return JSON.parse(bodyText(outcome)) as Record<string, unknown>;
}

export function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "utf8"));
}
