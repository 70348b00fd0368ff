/**
 * P03's problem table (G1-G4): what can be wrong with the grants, the option or the evidence of a
 * fully authorised request. Which grants an action needs and which option permits it come from the
 * fuzzer's own contract (grantsNeeded, weakestOptionFor), never from the lane's policy.
 */
import fc from "fast-check";
import { ACTIONS, type Action, type Option } from "../../../lane/index.js";
import { grantsNeeded, OPTION_LADDER, weakestOptionFor } from "../../contract/contract.js";
import { chainByKey } from "../../craft/chain-by-key.js";
import { entropy } from "../../craft/entropy.js";
import { breaksText, type Explained } from "../flaw.js";

export type GrantProblem =
  | { readonly kind: "missing" }
  /** Replaced by a grant (same id and nonce) for an action the request does not need. */
  | { readonly kind: "other-action"; readonly action: Action }
  | { readonly kind: "other-packet"; readonly packetId: string }
  /** expires_at this many seconds before now (0: expires_at = now). */
  | { readonly kind: "expired"; readonly agoSeconds: number }
  /** not_before this many seconds after now: beyond any skew tolerance (at most 300 s). */
  | { readonly kind: "not-yet-valid"; readonly aheadSeconds: number }
  /** The same grant twice: the same JWS, or the same grant sealed again under a reordered header. */
  | { readonly kind: "twice"; readonly how: "same-jws" | "resealed" };

export type GrantRequestProblem =
  /** Index into the grants the action needs (0, or 1 for the irreversible action's own grant). */
  | { readonly place: "grant"; readonly grant: 0 | 1; readonly problem: GrantProblem }
  /** Two grants share a nonce or grant_id (a second grant for the same action when only one is needed). */
  | { readonly place: "pair"; readonly shared: "nonce" | "grant_id" }
  | { readonly place: "extra"; readonly action: Action }
  | { readonly place: "option"; readonly selected: Option }
  | { readonly place: "evidence"; readonly problem: "missing" | "other-artifact" | "grant-other-artifact" };

export interface GrantValue {
  readonly entropy: number;
  readonly action: Action;
  readonly problems: readonly GrantRequestProblem[];
}

const OTHER_PACKET_IDS = [
  "FIX7-P0-2026-06-13",
  "FIX7-P0-2026-06-12-B",
  "FIX8-P0-2026-06-12",
  "FIX7-P0-2026-06-1",
];

function grantProblem(action: Action): fc.Arbitrary<GrantProblem> {
  const unneeded = ACTIONS.filter((a) => !grantsNeeded(action).includes(a));
  return fc.oneof(
    fc.constant<GrantProblem>({ kind: "missing" }),
    fc.constantFrom(...unneeded).map((other): GrantProblem => ({ kind: "other-action", action: other })),
    fc
      .constantFrom(...OTHER_PACKET_IDS)
      .map((packetId): GrantProblem => ({ kind: "other-packet", packetId })),
    // 0 and 1 pin the edge (docs/protocol.md: expiry gets no tolerance); the rest are far past any skew.
    fc
      .constantFrom(0, 1, 301, 3_600, 86_400, 30 * 86_400)
      .map((agoSeconds): GrantProblem => ({ kind: "expired", agoSeconds })),
    fc
      .constantFrom(600, 3_600, 6 * 3_600, 23 * 3_600)
      .map((aheadSeconds): GrantProblem => ({ kind: "not-yet-valid", aheadSeconds })),
    fc.constantFrom("same-jws", "resealed").map((how): GrantProblem => ({ kind: "twice", how })),
  );
}

export function problemArbitrary(action: Action): fc.Arbitrary<GrantRequestProblem> {
  const needed = grantsNeeded(action);
  const weaker = OPTION_LADDER.slice(0, OPTION_LADDER.indexOf(weakestOptionFor(action)));
  const grants = needed.map((_, i) =>
    grantProblem(action).map((problem): GrantRequestProblem => ({
      place: "grant",
      grant: i === 0 ? 0 : 1,
      problem,
    })),
  );
  const options: fc.Arbitrary<GrantRequestProblem>[] = [
    ...grants,
    fc.constantFrom("nonce", "grant_id").map((shared): GrantRequestProblem => ({ place: "pair", shared })),
    fc
      .constantFrom(...ACTIONS.filter((a) => !needed.includes(a)))
      .map((extra): GrantRequestProblem => ({ place: "extra", action: extra })),
    fc.constantFrom(...weaker).map((selected): GrantRequestProblem => ({ place: "option", selected })),
  ];
  if (action === "QT001_APPLY") {
    options.push(
      fc
        .constantFrom("missing", "other-artifact", "grant-other-artifact")
        .map((problem): GrantRequestProblem => ({ place: "evidence", problem })),
    );
  }
  return fc.oneof(...options);
}

/**
 * What each problem touches. Changing the apply grant's artifact_sha256 touches the apply grant
 * (always the second for QT001_APPLY), so it never meets a problem that removes or replaces it.
 */
function placeOf(p: GrantRequestProblem): string {
  if (p.place === "grant") return `grant-${p.grant}`;
  return p.place === "evidence" && p.problem === "grant-other-artifact" ? "grant-1" : p.place;
}

/**
 * Problems on distinct places: usually one, sometimes two or three. A single problem reads best and
 * reaches its own check; a combination probes how checks interact, and can shrink to one problem
 * (cross-shrinking to "no more"). A shared nonce or id involves every grant, so it never combines
 * with a problem on one grant (removing that grant would quietly remove the sharing). No other
 * combination can cancel: replacements and additions only use actions the request does not need,
 * so a missing grant stays missing, and nothing raises the packet's option.
 */
function problemsArbitrary(
  action: Action,
  drawOne: (action: Action) => fc.Arbitrary<GrantRequestProblem>,
): fc.Arbitrary<GrantRequestProblem[]> {
  const one = drawOne(action);
  const more = fc.oneof(
    { withCrossShrink: true },
    { weight: 1, arbitrary: fc.constant<GrantRequestProblem[]>([]) },
    { weight: 1, arbitrary: fc.array(one, { minLength: 1, maxLength: 2 }) },
  );
  return fc
    .tuple(one, more)
    .map(([first, rest]) => [first, ...rest])
    .filter(
      (ps) =>
        new Set(ps.map(placeOf)).size === ps.length &&
        !(ps.some((p) => p.place === "pair") && ps.some((p) => p.place === "grant")),
    );
}

export function grantValues(
  problems: { readonly arbitrary: (action: Action) => fc.Arbitrary<GrantRequestProblem> } = {
    arbitrary: problemArbitrary,
  },
): fc.Arbitrary<GrantValue> {
  return chainByKey(fc.constantFrom(...ACTIONS), (action) =>
    fc.record({
      entropy: entropy(),
      action: fc.constant(action),
      problems: problemsArbitrary(action, problems.arbitrary),
    }),
  );
}

export function explainGrantProblem(problem: GrantRequestProblem, action: Action): Explained {
  switch (problem.place) {
    case "grant": {
      const which = `the ${grantsNeeded(action)[problem.grant] ?? "?"} grant`;
      const p = problem.problem;
      switch (p.kind) {
        case "missing":
          return { rule: "G3", what: `${which} missing` };
        case "other-action":
          return { rule: "G2", what: `${which} replaced by a ${p.action} grant` };
        case "other-packet":
          return { rule: "G3", what: `${which} is for packet ${p.packetId}` };
        case "expired":
          return {
            rule: "G3",
            what: `${which} expired ${p.agoSeconds} s ago${p.agoSeconds === 0 ? " (expires_at = now)" : ""}`,
          };
        case "not-yet-valid":
          return { rule: "G3", what: `${which} not valid for another ${p.aheadSeconds} s` };
        case "twice":
          return { rule: "G3", what: `${which} sent twice (${p.how})` };
      }
      break;
    }
    case "pair":
      return {
        rule: "G3",
        what:
          grantsNeeded(action).length === 2
            ? `both grants share one ${problem.shared}`
            : `a second ${action} grant shares the first one's ${problem.shared}`,
      };
    case "extra":
      return { rule: "G3", what: `an unneeded ${problem.action} grant added` };
    case "option":
      return {
        rule: problem.selected === "HOLD_PRODUCTION" ? "G1" : "G2",
        what: `packet selects ${problem.selected}, ${action} needs ${weakestOptionFor(action)}`,
      };
    case "evidence":
      return {
        rule: "G4",
        what:
          problem.problem === "missing"
            ? "QT001_APPLY evidence missing"
            : problem.problem === "other-artifact"
              ? "evidence for another artifact_sha256 than the grant's"
              : "QT001_APPLY grant for another artifact_sha256 than the evidence's",
      };
  }
}

export function grantBreaks(value: GrantValue): string | undefined {
  const first = value.problems[0];
  if (first === undefined) return undefined;
  return breaksText(explainGrantProblem(first, value.action));
}

export function describeGrants(value: GrantValue): string {
  return `${value.action} request; ${value.problems.map((p) => explainGrantProblem(p, value.action).what).join("; ")}`;
}
