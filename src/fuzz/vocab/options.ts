/**
 * P05's vocabulary (section 3, G1, G2): what the packet of a fully authorised request can say
 * instead of "exactly one option that permits this action": a look-alike, an unknown or several
 * options, a default other than HOLD_PRODUCTION, HOLD_PRODUCTION itself, or an option too weak for
 * the action. Grants and evidence stay perfect; the owner re-seals the bent packet.
 */
import fc from "fast-check";
import { ACTIONS, type Action, type Option } from "../../lane/index.js";
import { OPTION_LADDER, weakestOptionFor } from "../contract/contract.js";
import { authorizedParts, authorizedRequest, labelOf } from "../craft/authorized.js";
import { describeBase, packetBases, type PacketBase } from "../craft/bases.js";
import { chainByKey } from "../craft/chain-by-key.js";
import { entropy } from "../craft/entropy.js";
import type { Mutation } from "../craft/json-render.js";
import { lookalikes } from "../craft/malformations.js";
import type { FamilyContext } from "../types.js";
import { breaksText, type Explained } from "./flaw.js";
import { withResealedPacket } from "./reseal.js";

export type SelectedFlaw =
  | { readonly kind: "lookalike"; readonly of: Option; readonly spelling: string }
  | { readonly kind: "unknown"; readonly name: string }
  | { readonly kind: "array"; readonly options: readonly Option[] }
  | { readonly kind: "joined"; readonly options: readonly Option[]; readonly separator: string }
  /** The option's rank on the ladder, as a number or a numeric string. */
  | { readonly kind: "index"; readonly raw: string }
  /** A valid packet that selects the default: the request must be held (G1). */
  | { readonly kind: "hold" }
  /** A valid packet whose option is too weak for the action (G2). */
  | { readonly kind: "weaker"; readonly option: Option };

export type DefaultFlaw =
  | { readonly kind: "other-option"; readonly option: Option }
  | { readonly kind: "lookalike"; readonly spelling: string };

export interface OptionValue {
  readonly entropy: number;
  /** The packet the request is built on: built in, a family's seed, or schema-drawn. */
  readonly base: PacketBase;
  readonly action: Action;
  readonly selected: SelectedFlaw | null;
  readonly default: DefaultFlaw | null;
}

const OPTIONS = OPTION_LADDER;

export const UNKNOWN_OPTIONS = [
  "AUTHORIZE_PRODUCTION",
  "AUTHORIZE_PRODUCTION_EXECUTION_ALL",
  "AUTHORIZE_PRODUCTION_EXECUTION_AND_CUTOVER",
  "AUTHORIZE_PRODUCTION_*",
  "AUTHORIZE_PRODUCTION_",
  "AUTHORIZE_ALL",
  "EXECUTION",
  "ALLOW",
  "ANY",
  "*",
  "",
];

export function selectedFlawArbitrary(action: Action): fc.Arbitrary<SelectedFlaw> {
  // Weaker than the action needs but not HOLD_PRODUCTION (that is its own flaw, and a HOLD).
  const weaker = OPTIONS.slice(1, OPTIONS.indexOf(weakestOptionFor(action)));
  const flaws: fc.Arbitrary<SelectedFlaw>[] = [
    chainByKey(fc.constantFrom(...OPTIONS), (of) =>
      fc
        .constantFrom(...lookalikes(of))
        .map((spelling): SelectedFlaw => ({ kind: "lookalike", of, spelling })),
    ),
    fc.constantFrom(...UNKNOWN_OPTIONS).map((name): SelectedFlaw => ({ kind: "unknown", name })),
    fc
      .uniqueArray(fc.constantFrom(...OPTIONS), { minLength: 1, maxLength: 4 })
      .map((options): SelectedFlaw => ({ kind: "array", options })),
    fc
      .record({
        options: fc.uniqueArray(fc.constantFrom(...OPTIONS), { minLength: 2, maxLength: 4 }),
        separator: fc.constantFrom(",", ", ", "|", " ", ";", "+", "\n"),
      })
      .map(({ options, separator }): SelectedFlaw => ({ kind: "joined", options, separator })),
    fc.constantFrom("3", '"3"', "0", "-1").map((raw): SelectedFlaw => ({ kind: "index", raw })),
    fc.constant<SelectedFlaw>({ kind: "hold" }),
  ];
  if (weaker.length > 0) {
    flaws.push(fc.constantFrom(...weaker).map((option): SelectedFlaw => ({ kind: "weaker", option })));
  }
  return fc.oneof(...flaws);
}

export const defaultFlawArbitrary: fc.Arbitrary<DefaultFlaw> = fc.oneof(
  fc.constantFrom(...OPTIONS.slice(1)).map((option): DefaultFlaw => ({ kind: "other-option", option })),
  fc
    .constantFrom(...lookalikes("HOLD_PRODUCTION"))
    .map((spelling): DefaultFlaw => ({ kind: "lookalike", spelling })),
);

export function explainSelected(flaw: SelectedFlaw, action: Action): Explained {
  switch (flaw.kind) {
    case "lookalike":
      return { rule: "R8", what: `selected ${JSON.stringify(flaw.spelling)}, a look-alike of ${flaw.of}` };
    case "unknown":
      return { rule: "R7", what: `selected ${JSON.stringify(flaw.name)}, which is no option` };
    case "array":
      return { rule: "R7", what: `selected is an array [${flaw.options.join(", ")}]` };
    case "joined":
      return { rule: "R7", what: `selected joins ${flaw.options.join(JSON.stringify(flaw.separator))}` };
    case "index":
      return { rule: "R7", what: `selected is the option index ${flaw.raw}` };
    case "hold":
      return { rule: "G1", what: `selected HOLD_PRODUCTION, ${action} asked for` };
    case "weaker":
      return { rule: "G2", what: `selected ${flaw.option}, ${action} needs ${weakestOptionFor(action)}` };
  }
}

export function explainDefault(flaw: DefaultFlaw): Explained {
  return flaw.kind === "other-option"
    ? { rule: "R7", what: `default ${flaw.option}, not HOLD_PRODUCTION` }
    : { rule: "R8", what: `default ${JSON.stringify(flaw.spelling)}, a look-alike of HOLD_PRODUCTION` };
}

/** The raw JSON each selected flaw puts in the packet's `selected` member. */
export function selectedRaw(flaw: SelectedFlaw): string {
  switch (flaw.kind) {
    case "lookalike":
      return JSON.stringify(flaw.spelling);
    case "unknown":
      return JSON.stringify(flaw.name);
    case "array":
      return JSON.stringify(flaw.options);
    case "joined":
      return JSON.stringify(flaw.options.join(flaw.separator));
    case "index":
      return flaw.raw;
    case "hold":
      return JSON.stringify("HOLD_PRODUCTION");
    case "weaker":
      return JSON.stringify(flaw.option);
  }
}

/** The two flaw tables of the packet's option members. */
export const SELECTED_FLAWS = {
  arbitrary: selectedFlawArbitrary,
  explain: explainSelected,
  apply: selectedRaw,
};
export const DEFAULT_FLAWS = {
  arbitrary: () => defaultFlawArbitrary,
  explain: explainDefault,
  apply: (flaw: DefaultFlaw) => JSON.stringify(flaw.kind === "other-option" ? flaw.option : flaw.spelling),
};

/**
 * `selected` broken (mostly), `default` broken, or both; each alone makes the packet unusable. A
 * broken default is refused before anything looks at `selected`, so it comes less often, and
 * either may shrink away (cross-shrinking to null) as long as the other remains.
 */
export function optionValues(
  ctx: FamilyContext,
  familyId: string,
  tables: {
    readonly selected: Pick<typeof SELECTED_FLAWS, "arbitrary">;
    readonly default: Pick<typeof DEFAULT_FLAWS, "arbitrary">;
  } = { selected: SELECTED_FLAWS, default: DEFAULT_FLAWS },
): fc.Arbitrary<OptionValue> {
  const bases = packetBases(ctx, familyId);
  return chainByKey(fc.constantFrom(...ACTIONS), (action) =>
    fc
      .record({
        entropy: entropy(),
        base: bases,
        action: fc.constant(action),
        selected: fc.oneof(
          { withCrossShrink: true },
          { weight: 1, arbitrary: fc.constant(null) },
          { weight: 5, arbitrary: tables.selected.arbitrary(action) },
        ),
        default: fc.oneof(
          { withCrossShrink: true },
          { weight: 3, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: tables.default.arbitrary() },
        ),
      })
      .filter((v) => v.selected !== null || v.default !== null),
  );
}

export function explainOptions(value: OptionValue): Explained[] {
  return [
    ...(value.selected === null ? [] : [SELECTED_FLAWS.explain(value.selected, value.action)]),
    ...(value.default === null ? [] : [DEFAULT_FLAWS.explain(value.default)]),
  ];
}

export function optionBreaks(value: OptionValue): string | undefined {
  const first = explainOptions(value)[0];
  return first === undefined ? undefined : breaksText(first);
}

export function describeOptions(value: OptionValue): string {
  const whats = explainOptions(value).map((e) => e.what);
  return `${value.action} request; packet ${whats.join("; ")} (${describeBase(value.base)})`;
}

/** The fully authorised request whose packet, re-sealed by the owner, carries the flaws. */
export async function renderOptions(value: OptionValue, ctx: FamilyContext): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, labelOf(value), value.action, value.base);
  const request = await authorizedRequest(ctx, parts);
  const mutations: Mutation[] = [];
  if (value.selected !== null) {
    mutations.push({ kind: "replace", path: ["selected"], raw: SELECTED_FLAWS.apply(value.selected) });
  }
  if (value.default !== null) {
    mutations.push({ kind: "replace", path: ["default"], raw: DEFAULT_FLAWS.apply(value.default) });
  }
  return withResealedPacket(ctx, request, parts.packet, mutations);
}
