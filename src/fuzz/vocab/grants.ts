/**
 * P03's vocabulary (G2-G4): a fully authorised request for one action with one to three grant,
 * option or evidence problems. Every grant stays correctly sealed by the owner: what is wrong is
 * what the grants say, which ones are there, or what the packet allows. Which grants an action
 * needs comes from the fuzzer's own contract (grantsNeeded), never from the lane's policy.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import {
  ACTIONS,
  encodeDocument,
  formatTimestamp,
  type Action,
  type Grant,
  type Option,
} from "../../lane/index.js";
import { grantsNeeded, OPTION_LADDER, weakestOptionFor } from "../contract/contract.js";
import { authorizedParts, labelOf } from "../craft/authorized.js";
import { chainByKey } from "../craft/chain-by-key.js";
import { passingEvidence, request, validGrant } from "../craft/documents.js";
import { entropy } from "../craft/entropy.js";
import { renderMutated } from "../craft/json-render.js";
import { keyOf, rawJws, sealAs } from "../craft/seal.js";
import type { FamilyContext } from "../types.js";
import { breaksText, type Explained } from "./flaw.js";

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

function problemArbitrary(action: Action): fc.Arbitrary<GrantRequestProblem> {
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
  problems: Pick<typeof GRANT_PROBLEMS, "arbitrary"> = GRANT_PROBLEMS,
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

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** One grant of the request, with how it travels: once, twice, or twice under another header. */
interface Slot {
  grant: Grant;
  twice?: "same-jws" | "resealed";
}

function applyGrantProblem(ctx: FamilyContext, slot: Slot, p: GrantProblem, label: string): Slot | undefined {
  const now = ctx.now;
  switch (p.kind) {
    case "missing":
      return undefined;
    case "other-action": {
      // The same label keeps the replaced grant's id and nonce: only the action differs.
      const artifact = slot.grant.artifact_sha256 ?? sha256(`migration\0${label}`);
      return {
        grant: validGrant(
          ctx,
          p.action,
          `${label}:${slot.grant.action}`,
          p.action === "QT001_APPLY" ? { artifact_sha256: artifact } : {},
        ),
      };
    }
    case "other-packet":
      return { grant: { ...slot.grant, packet_id: p.packetId } };
    case "expired": {
      const expires = now - p.agoSeconds;
      return {
        grant: {
          ...slot.grant,
          not_before: formatTimestamp(expires - 6 * 3_600),
          expires_at: formatTimestamp(expires),
        },
      };
    }
    case "not-yet-valid": {
      const from = now + p.aheadSeconds;
      return {
        grant: {
          ...slot.grant,
          not_before: formatTimestamp(from),
          expires_at: formatTimestamp(from + 3_600),
        },
      };
    }
    case "twice":
      return { ...slot, twice: p.how };
  }
}

async function sealSlot(ctx: FamilyContext, slot: Slot): Promise<string[]> {
  const grant = slot.grant;
  const jws = await sealAs(ctx, "owner", "grant", grant);
  if (slot.twice === undefined) return [jws];
  if (slot.twice === "same-jws") return [jws, jws];
  // The same grant under a header with its members in another order: another valid JWS string, so
  // only the gate's own id and nonce checks can tell the two apart.
  const owner = keyOf(ctx, "owner");
  const header = JSON.stringify({ typ: "grant+jws", kid: owner.kid, alg: owner.alg });
  return [jws, await rawJws(header, encodeDocument("grant", grant), owner)];
}

export async function renderGrants(value: GrantValue, ctx: FamilyContext): Promise<Uint8Array> {
  const label = labelOf(value);
  const parts = authorizedParts(ctx, label, value.action);
  let packet = parts.packet;
  let slots: Array<Slot | undefined> = parts.grants.map((grant) => ({ grant }));
  const added: Slot[] = [];
  let evidenceArtifact = parts.artifactSha256;
  let withEvidence = value.action === "QT001_APPLY";

  for (const problem of value.problems) {
    switch (problem.place) {
      case "grant": {
        const slot = slots[problem.grant];
        slots[problem.grant] = slot && applyGrantProblem(ctx, slot, problem.problem, label);
        break;
      }
      case "pair": {
        // Never combined with a problem on one grant, so the slots are still the authorised ones.
        const [first, second] = slots;
        if (first === undefined) throw new Error("an authorised request has at least one grant");
        const shared = { [problem.shared]: first.grant[problem.shared] };
        const twin =
          second === undefined ? validGrant(ctx, first.grant.action, `${label}:second`) : second.grant;
        slots = [first, { ...second, grant: { ...twin, ...shared } }];
        break;
      }
      case "extra": {
        const artifact = sha256(`migration\0${label}\0extra`);
        added.push({
          grant: validGrant(
            ctx,
            problem.action,
            `${label}:extra:${problem.action}`,
            problem.action === "QT001_APPLY" ? { artifact_sha256: artifact } : {},
          ),
        });
        break;
      }
      case "option":
        packet = { ...packet, selected: problem.selected };
        break;
      case "evidence":
        if (problem.problem === "missing") withEvidence = false;
        // Each side gets its own other digest: with both problems, grant and evidence must still
        // disagree (one shared "other" value would make them agree again, and the request valid).
        else if (problem.problem === "other-artifact")
          evidenceArtifact = sha256(`other migration, evidence side\0${label}`);
        else {
          slots = slots.map((s) =>
            s?.grant.action === "QT001_APPLY"
              ? {
                  ...s,
                  grant: { ...s.grant, artifact_sha256: sha256(`other migration, grant side\0${label}`) },
                }
              : s,
          );
        }
        break;
    }
  }

  const packetJws = await sealAs(ctx, "owner", "decision-packet", packet);
  const present = [...slots, ...added].filter((s): s is Slot => s !== undefined);
  const grants = (await Promise.all(present.map((s) => sealSlot(ctx, s)))).flat();
  let evidence: string | undefined;
  if (withEvidence && evidenceArtifact !== undefined && parts.evidenceTree !== undefined) {
    evidence = await sealAs(
      ctx,
      "rehearsal",
      "evidence",
      passingEvidence(ctx, label, evidenceArtifact, parts.evidenceTree, parts.packet.packet_id),
    );
  }
  return renderMutated(request(ctx, label, value.action, packetJws, grants, evidence), []);
}

/** The grant problem table: drawn per action, explained, applied to one grant slot. */
export const GRANT_PROBLEMS = {
  arbitrary: problemArbitrary,
  explain: explainGrantProblem,
  apply: applyGrantProblem,
};
