import fc from "fast-check";
import type { Action } from "../../lane/index.js";
import { authorizedParts, authorizedRequest, labelOf } from "../craft/authorized.js";
import { entropy } from "../craft/entropy.js";
import { renderMutated } from "../craft/json-render.js";
import { sealAs } from "../craft/seal.js";
import type { FamilyContext, Step } from "../types.js";
import { breaksText } from "./flaw.js";
import type { RuleId } from "./rule-id.js";

/** What a step breaks, in the words a finding shows: the rule is a RuleId, never free text. */
const said = (rule: RuleId, what: string): string => breaksText({ rule, what });

/**
 * Model-based sequences (G5). A scenario is a list of commands over a few grant pairs (a REAL_RUN
 * grant and an action grant each). A model tracks which grants are spent and decides what each
 * step must get: the first spend of fresh grants is a setup that must be allowed; every reuse of
 * a spent grant, alone or mixed with a fresh one, is an attack that must be refused and must
 * consume nothing; N concurrent copies of a fresh request are a race with exactly one ALLOW.
 * fast-check shrinks the command list, and the model recomputes every expectation.
 */
export type ReplayCommand =
  | { readonly kind: "spend"; readonly pair: number }
  | { readonly kind: "mix"; readonly realRunOf: number; readonly actionOf: number }
  | { readonly kind: "race"; readonly pair: number; readonly copies: number }
  | { readonly kind: "resend"; readonly step: number }
  /** A request for another action carrying one pair's grants: refused, it must spend nothing. */
  | { readonly kind: "refuse"; readonly pair: number; readonly asked: Action };

export interface ReplayValue {
  readonly entropy: number;
  readonly actions: readonly Action[];
  readonly commands: readonly ReplayCommand[];
}

export const REPLAYED_ACTIONS: readonly Action[] = ["PERMIT", "ACTIVATION", "REPOINT", "CUTOVER"];
export const PAIRS = 3;

export const replayCommand: fc.Arbitrary<ReplayCommand> = fc.oneof(
  fc.record({ kind: fc.constant("spend" as const), pair: fc.nat(PAIRS - 1) }),
  fc.record({ kind: fc.constant("mix" as const), realRunOf: fc.nat(PAIRS - 1), actionOf: fc.nat(PAIRS - 1) }),
  fc.record({
    kind: fc.constant("race" as const),
    pair: fc.nat(PAIRS - 1),
    // Up to 32 at once: a check-then-act race needs copies truly in flight together, which a
    // real server's pool (reference.ts RACE_CONNECTIONS) runs side by side.
    copies: fc.integer({ min: 2, max: 32 }),
  }),
  fc.record({ kind: fc.constant("resend" as const), step: fc.nat(7) }),
  fc.record({
    kind: fc.constant("refuse" as const),
    pair: fc.nat(PAIRS - 1),
    asked: fc.constantFrom(...REPLAYED_ACTIONS),
  }),
);

/** What the model expects of each command, given which grants earlier commands spent. */
export type Planned =
  | {
      readonly kind: "setup" | "attack";
      readonly realRunOf: number;
      readonly actionOf: number;
      readonly why: string;
      /** The action requested, when not the action grant's own (a refused request). */
      readonly asked?: Action;
    }
  | { readonly kind: "race"; readonly pair: number; readonly copies: number; readonly why: string }
  | { readonly kind: "resend"; readonly step: number; readonly why: string };

export function planReplay(commands: readonly ReplayCommand[]): Planned[] {
  const spent = { realRun: new Set<number>(), action: new Set<number>() };
  const allowedSteps = new Set<number>();
  const planned: Planned[] = [];
  for (const c of commands) {
    const index = planned.length;
    switch (c.kind) {
      case "spend":
      case "mix": {
        const realRunOf = c.kind === "spend" ? c.pair : c.realRunOf;
        const actionOf = c.kind === "spend" ? c.pair : c.actionOf;
        const reused = spent.realRun.has(realRunOf) || spent.action.has(actionOf);
        if (reused) {
          planned.push({
            kind: "attack",
            realRunOf,
            actionOf,
            why: said("G5", `reuse of a spent grant (pairs ${realRunOf}/${actionOf})`),
          });
        } else {
          spent.realRun.add(realRunOf);
          spent.action.add(actionOf);
          allowedSteps.add(index);
          planned.push({ kind: "setup", realRunOf, actionOf, why: "fresh grants" });
        }
        break;
      }
      case "race": {
        if (spent.realRun.has(c.pair) || spent.action.has(c.pair)) {
          planned.push({
            kind: "attack",
            realRunOf: c.pair,
            actionOf: c.pair,
            why: said("G5", `reuse of spent grants (pair ${c.pair})`),
          });
        } else {
          spent.realRun.add(c.pair);
          spent.action.add(c.pair);
          allowedSteps.add(index);
          planned.push({
            kind: "race",
            pair: c.pair,
            copies: c.copies,
            why: said("G5", `${c.copies} concurrent spends of one pair`),
          });
        }
        break;
      }
      case "refuse":
        // Not marked spent: a gate that spends grants on a refusal then fails a later setup
        // (DENY replayed), which shows over every transport, state snapshots or not.
        planned.push({
          kind: "attack",
          realRunOf: c.pair,
          actionOf: c.pair,
          asked: c.asked,
          why: said("G8", `a refused ${c.asked} request must not spend pair ${c.pair}'s grants`),
        });
        break;
      case "resend":
        // Only a resend of something that was allowed is a replay; otherwise the command is dropped.
        if (allowedSteps.has(c.step))
          planned.push({
            kind: "resend",
            step: c.step,
            why: said("G5", `the exact bytes of step ${c.step} again`),
          });
        break;
    }
  }
  return planned;
}

export function replayBreaks(value: ReplayValue): string | undefined {
  return planReplay(value.commands).find((p) => p.kind !== "setup")?.why;
}

export async function replaySteps(value: ReplayValue, ctx: FamilyContext): Promise<Step[]> {
  const label = labelOf(value);
  const pairs = Array.from({ length: PAIRS }, (_, k) =>
    authorizedParts(ctx, `${label}:pair${k}`, value.actions[k] ?? "CUTOVER"),
  );
  const sealed = await Promise.all(
    pairs.map(async (parts) => Promise.all(parts.grants.map((g) => sealAs(ctx, "owner", "grant", g)))),
  );
  const out: Step[] = [];
  const bytesOf: Uint8Array[] = [];
  for (const [index, p] of planReplay(value.commands).entries()) {
    let step: Step;
    if (p.kind === "resend") {
      step = { kind: "attack", bytes: bytesOf[p.step] ?? new Uint8Array() };
    } else {
      const realRunPair = p.kind === "race" ? p.pair : p.realRunOf;
      const actionPair = p.kind === "race" ? p.pair : p.actionOf;
      const parts = pairs[actionPair];
      const realRun = sealed[realRunPair]?.[0];
      const action = sealed[actionPair]?.[1];
      if (parts === undefined || realRun === undefined || action === undefined)
        throw new Error("pair out of range");
      const base = await authorizedRequest(ctx, { ...parts, label: `${label}:step${index}` });
      const asked = p.kind === "race" ? undefined : p.asked;
      // Asked for an action the grants are not for (never the pair's own): refused, G3.
      const otherAction = REPLAYED_ACTIONS.find((a) => a !== parts.action) ?? "CUTOVER";
      const requested = asked === undefined ? base.action : asked === parts.action ? otherAction : asked;
      const bytes = renderMutated({ ...base, action: requested, grants: [realRun, action] }, []);
      step = p.kind === "race" ? { kind: "race", bytes, copies: p.copies } : { kind: p.kind, bytes };
    }
    bytesOf.push(step.bytes);
    out.push(step);
  }
  return out;
}

export function replayValues(): fc.Arbitrary<ReplayValue> {
  return fc.record({
    entropy: entropy(),
    actions: fc.array(fc.constantFrom(...REPLAYED_ACTIONS), { minLength: PAIRS, maxLength: PAIRS }),
    commands: fc.array(replayCommand, { minLength: 2, maxLength: 8 }),
  });
}

/** The scenario's canonical bytes, for findings: every step in order. */
export async function renderReplay(value: ReplayValue, ctx: FamilyContext): Promise<Uint8Array> {
  const lines = (await replaySteps(value, ctx)).map(
    (s) => `${s.kind}${s.kind === "race" ? `x${s.copies}` : ""} ${Buffer.from(s.bytes).toString("base64")}`,
  );
  return Buffer.from(lines.join("\n"));
}

export function describeReplay(value: ReplayValue): string {
  return planReplay(value.commands)
    .map((p) => (p.kind === "setup" ? "spend" : p.why))
    .join("; ");
}
