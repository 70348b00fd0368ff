/**
 * P06's vocabulary (G3): blockers of a fully authorised REAL_RUN or irreversible request that are
 * not all discharged, or a blocker list that only looks discharged: look-alike statuses, a
 * duplicate id, a missing or mistyped list, empty or unknown actors. The owner re-seals the packet.
 */
import fc from "fast-check";
import { ACTIONS, BLOCKER_STATUSES, type Action, type DecisionPacket } from "../../lane/index.js";
import { needsDischargedBlockers } from "../contract/contract.js";
import { authorizedParts, authorizedRequest, labelOf } from "../craft/authorized.js";
import { describeBase, packetBases, type PacketBase } from "../craft/bases.js";
import { validPacket } from "../craft/documents.js";
import { entropy } from "../craft/entropy.js";
import type { Mutation } from "../craft/json-render.js";
import { lookalikes } from "../craft/malformations.js";
import type { FamilyContext } from "../types.js";
import { breaksText, type Explained } from "./flaw.js";
import { withResealedPacket } from "./reseal.js";

/**
 * The first two blockers of the authorised packet, both DISCHARGED there (a base with fewer is
 * given the built-in packet's, see withTwoBlockers).
 */
type Which = 0 | 1;
type OpenStatus = Exclude<(typeof BLOCKER_STATUSES)[number], "DISCHARGED">;

export type BlockerFlaw =
  | { readonly kind: "status"; readonly blocker: Which; readonly status: OpenStatus }
  | { readonly kind: "lookalike-status"; readonly blocker: Which; readonly spelling: string }
  | {
      readonly kind: "status-shape";
      readonly blocker: Which;
      readonly form: "missing" | "null" | "array" | "object";
    }
  | { readonly kind: "actors"; readonly blocker: Which; readonly actors: readonly string[] }
  /** One more blocker, with its own id, still open. */
  | { readonly kind: "added"; readonly status: OpenStatus }
  /** One more blocker reusing the first one's id, open: which copy counts? Neither (unique ids). */
  | { readonly kind: "duplicate-id"; readonly status: OpenStatus; readonly order: "open-first" | "open-last" }
  | {
      readonly kind: "list";
      readonly form: "missing" | "null" | "object" | "keyed-object" | "string" | "empty-object";
    };

export interface BlockerValue {
  readonly entropy: number;
  readonly base: PacketBase;
  readonly action: Action;
  readonly flaws: readonly BlockerFlaw[];
}

/** G3 (and docs/protocol.md: a real run too), from the fuzzer's contract: the guarded actions. */
export const GUARDED_ACTIONS: readonly Action[] = ACTIONS.filter(needsDischargedBlockers);
const OPEN_STATUSES = BLOCKER_STATUSES.filter((s): s is OpenStatus => s !== "DISCHARGED");

/** Spellings a lenient comparison would take for DISCHARGED; lookalikes() adds more. */
export const DISCHARGED_LOOKALIKES = [
  ...new Set([
    "discharged",
    "Discharged",
    "DISCHARGED ",
    "DISCHARGED\u200b",
    "DISCH\u0410RGED", // Cyrillic A
    "DI\u0405CHARGED", // Cyrillic DZE for S
    ...lookalikes("DISCHARGED"),
  ]),
];

const which = fc.constantFrom<Which>(0, 1);
const openStatus = fc.constantFrom(...OPEN_STATUSES);

export const blockerFlawArbitrary: fc.Arbitrary<BlockerFlaw> = fc.oneof(
  fc.record({ blocker: which, status: openStatus }).map((f): BlockerFlaw => ({ kind: "status", ...f })),
  fc
    .record({ blocker: which, spelling: fc.constantFrom(...DISCHARGED_LOOKALIKES) })
    .map((f): BlockerFlaw => ({ kind: "lookalike-status", ...f })),
  fc
    .record({ blocker: which, form: fc.constantFrom("missing", "null", "array", "object") })
    .map((f): BlockerFlaw => ({ kind: "status-shape", ...f })),
  fc
    .record({
      blocker: which,
      actors: fc.constantFrom<readonly string[]>(
        [],
        ["gate"],
        ["rehearsal"],
        ["admin"],
        ["*"],
        ["Owner"],
        ["owner "],
        ["owner", "owner"],
        ["owner", "gate"],
      ),
    })
    .map((f): BlockerFlaw => ({ kind: "actors", ...f })),
  openStatus.map((status): BlockerFlaw => ({ kind: "added", status })),
  fc
    .record({ status: openStatus, order: fc.constantFrom("open-first", "open-last") })
    .map((f): BlockerFlaw => ({ kind: "duplicate-id", ...f })),
  fc
    .constantFrom("missing", "null", "object", "keyed-object", "string", "empty-object")
    .map((form): BlockerFlaw => ({ kind: "list", form })),
);

export function explainBlockerFlaw(flaw: BlockerFlaw): Explained {
  switch (flaw.kind) {
    case "status":
      return { rule: "G3", what: `blocker ${flaw.blocker} is ${flaw.status}` };
    case "lookalike-status":
      return {
        rule: "R8",
        what: `blocker ${flaw.blocker} status ${JSON.stringify(flaw.spelling)}, not DISCHARGED`,
      };
    case "status-shape":
      return {
        rule: "R7",
        what: `blocker ${flaw.blocker} status ${flaw.form === "missing" ? "missing" : `as ${flaw.form}`}`,
      };
    case "actors":
      return { rule: "R7", what: `blocker ${flaw.blocker} actors ${JSON.stringify(flaw.actors)}` };
    case "added":
      return { rule: "G3", what: `an added blocker is ${flaw.status}` };
    case "duplicate-id":
      return { rule: "G3", what: `blocker 0's id twice, one ${flaw.status} (${flaw.order})` };
    case "list":
      return { rule: "R7", what: `blockers ${flaw.form === "missing" ? "missing" : `as ${flaw.form}`}` };
  }
}

const placeOf = (f: BlockerFlaw): string => {
  switch (f.kind) {
    case "status":
    case "lookalike-status":
    case "status-shape":
      return `status-${f.blocker}`;
    case "actors":
      return `actors-${f.blocker}`;
    case "added":
    case "duplicate-id":
    case "list":
      return f.kind;
  }
};

/**
 * Flaws on distinct places: usually one, sometimes two or three (several blockers open at once,
 * an open one beside a look-alike), and a combination can shrink to one flaw (cross-shrinking to
 * "no more"). A flaw on the whole list replaces every blocker, so it stands alone; each other flaw
 * breaks a rule by itself and nothing here discharges anything.
 */
export function blockerValues(
  ctx: FamilyContext,
  familyId: string,
  table: { readonly arbitrary: () => fc.Arbitrary<BlockerFlaw> } = { arbitrary: () => blockerFlawArbitrary },
): fc.Arbitrary<BlockerValue> {
  const flaw = table.arbitrary();
  const more = fc.oneof(
    { withCrossShrink: true },
    { weight: 1, arbitrary: fc.constant<BlockerFlaw[]>([]) },
    { weight: 1, arbitrary: fc.array(flaw, { minLength: 1, maxLength: 2 }) },
  );
  return fc.record({
    entropy: entropy(),
    base: packetBases(ctx, familyId),
    action: fc.constantFrom(...GUARDED_ACTIONS),
    flaws: fc
      .tuple(flaw, more)
      .map(([first, rest]) => [first, ...rest])
      .filter(
        (fs) =>
          new Set(fs.map(placeOf)).size === fs.length &&
          (fs.length === 1 || !fs.some((f) => f.kind === "list")),
      ),
  });
}

export function blockerBreaks(value: BlockerValue): string | undefined {
  const first = value.flaws[0];
  return first === undefined ? undefined : `${breaksText(explainBlockerFlaw(first))} (${value.action})`;
}

export function describeBlockers(value: BlockerValue): string {
  const whats = value.flaws.map((f) => explainBlockerFlaw(f).what);
  return `${value.action} request; ${whats.join("; ")} (${describeBase(value.base)})`;
}

type Raw = Record<string, unknown>;

function statusValue(form: Extract<BlockerFlaw, { kind: "status-shape" }>["form"]): unknown {
  switch (form) {
    case "null":
      return null;
    case "array":
      return ["DISCHARGED"];
    case "object":
      return { status: "DISCHARGED" };
    case "missing":
      return undefined;
  }
}

function listRaw(
  form: Extract<BlockerFlaw, { kind: "list" }>["form"],
  blockers: readonly Raw[],
): string | undefined {
  switch (form) {
    case "missing":
      return undefined;
    case "null":
      return "null";
    case "object":
      return JSON.stringify(blockers[0] ?? {});
    case "keyed-object":
      return JSON.stringify(Object.fromEntries(blockers.map((b) => [String(b["id"]), b])));
    case "string":
      return JSON.stringify("DISCHARGED");
    case "empty-object":
      return "{}";
  }
}

/** The blockers member with every flaw applied, as raw JSON, or undefined to remove it. */
export function applyBlockerFlaws(
  flaws: readonly BlockerFlaw[],
  original: readonly Raw[],
): string | undefined {
  const blockers: Raw[] = original.map((b) => ({ ...b }));
  const list = flaws.find((f) => f.kind === "list");
  if (list?.kind === "list") return listRaw(list.form, blockers);
  // Added blockers go around the list, never into it, so indexed flaws still hit their blocker.
  const prepended: Raw[] = [];
  const appended: Raw[] = [];
  for (const flaw of flaws) {
    switch (flaw.kind) {
      case "status":
        blockers[flaw.blocker] = { ...blockers[flaw.blocker], status: flaw.status };
        break;
      case "lookalike-status":
        blockers[flaw.blocker] = { ...blockers[flaw.blocker], status: flaw.spelling };
        break;
      case "status-shape": {
        const { status: _status, ...rest } = blockers[flaw.blocker] ?? {};
        const shaped = statusValue(flaw.form);
        blockers[flaw.blocker] = shaped === undefined ? rest : { ...rest, status: shaped };
        break;
      }
      case "actors":
        blockers[flaw.blocker] = { ...blockers[flaw.blocker], actors: flaw.actors };
        break;
      case "added":
        appended.push({
          id: "FIX7-P0-ADDED-1",
          status: flaw.status,
          actors: ["owner"],
          gate: "added blocker",
        });
        break;
      case "duplicate-id": {
        const twin = { ...original[0], status: flaw.status, gate: "the same blocker, still open" };
        if (flaw.order === "open-first") prepended.push(twin);
        else appended.push(twin);
        break;
      }
      case "list":
        break;
    }
  }
  return JSON.stringify([...prepended, ...blockers, ...appended]);
}

/** The blocker flaw table: drawn, explained, applied to the packet's blockers member. */
export const BLOCKER_FLAWS = {
  arbitrary: () => blockerFlawArbitrary,
  explain: explainBlockerFlaw,
  apply: applyBlockerFlaws,
};

/**
 * Flaws name blocker 0 or 1: a base with fewer blockers (a seed or a generated packet may have
 * none) is given the built-in packet's discharged ones, under ids it does not already use.
 */
export function withTwoBlockers(ctx: FamilyContext, packet: DecisionPacket): DecisionPacket {
  if (packet.blockers.length >= 2) return packet;
  const used = new Set(packet.blockers.map((b) => b.id));
  const extra = validPacket(ctx, packet.selected).blockers.filter((b) => !used.has(b.id));
  return { ...packet, blockers: [...packet.blockers, ...extra].slice(0, 2) };
}

export async function renderBlockers(value: BlockerValue, ctx: FamilyContext): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, labelOf(value), value.action, value.base);
  const request = await authorizedRequest(ctx, parts);
  const authorized = withTwoBlockers(ctx, parts.packet);
  const raw = applyBlockerFlaws(
    value.flaws,
    authorized.blockers.map((b): Raw => ({ ...b })),
  );
  const mutation: Mutation =
    raw === undefined ? { kind: "remove", path: ["blockers"] } : { kind: "replace", path: ["blockers"], raw };
  return withResealedPacket(ctx, request, authorized, [mutation]);
}
