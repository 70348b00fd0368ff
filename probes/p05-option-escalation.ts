import fc from "fast-check";
import {
  ACTIONS,
  OPTIONS,
  authorizedParts,
  authorizedRequest,
  chainByKey,
  describeBase,
  headerOf,
  keyOf,
  labelOf,
  lookalikes,
  packetBases,
  rawJws,
  renderMutated,
  type Action,
  type FamilyContext,
  type Mutation,
  type Option,
  type PacketBase,
  type ProbeFamily,
  entropy,
} from "../src/index.js";

/**
 * P05 option-escalation (section 3, G1, G2): the packet of a fully authorised request, sealed
 * correctly by the owner, says something other than "exactly one option that permits this
 * action": a look-alike, an unknown or several options, a default other than HOLD_PRODUCTION,
 * HOLD_PRODUCTION itself, or an option too weak for the action. Grants and evidence are perfect.
 */

type SelectedFlaw =
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

type DefaultFlaw =
  | { readonly kind: "other-option"; readonly option: Option }
  | { readonly kind: "lookalike"; readonly spelling: string };

interface Value {
  readonly entropy: number;
  /** The packet the request is built on: built in, a seed of corpora/P05/seeds/, or schema-drawn. */
  readonly base: PacketBase;
  readonly action: Action;
  readonly selected: SelectedFlaw | null;
  readonly default: DefaultFlaw | null;
}

/** SPEC G2/G3: the weakest option that permits each action. */
function requiredOption(action: Action): Option {
  if (action === "DRYRUN") return "AUTHORIZE_PRODUCTION_DRYRUN_ONLY";
  if (action === "REALRUN_PRECHECK") return "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY";
  return "AUTHORIZE_PRODUCTION_EXECUTION";
}

const UNKNOWN_OPTIONS = [
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

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

function selectedArbitrary(action: Action): fc.Arbitrary<SelectedFlaw> {
  // Weaker than the action needs but not HOLD_PRODUCTION (that is its own flaw, and a HOLD).
  const weaker = OPTIONS.slice(1, OPTIONS.indexOf(requiredOption(action)));
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

const defaultArbitrary: fc.Arbitrary<DefaultFlaw> = fc.oneof(
  fc.constantFrom(...OPTIONS.slice(1)).map((option): DefaultFlaw => ({ kind: "other-option", option })),
  fc
    .constantFrom(...lookalikes("HOLD_PRODUCTION"))
    .map((spelling): DefaultFlaw => ({ kind: "lookalike", spelling })),
);

/**
 * `selected` broken (mostly), `default` broken, or both; each alone makes the packet unusable. A
 * broken default is refused before anything looks at `selected`, so it comes less often, and
 * either may shrink away (cross-shrinking to null) as long as the other remains.
 */
function valueArbitrary(ctx: FamilyContext): fc.Arbitrary<Value> {
  const bases = packetBases(ctx, "P05");
  return chainByKey(fc.constantFrom(...ACTIONS), (action) =>
    fc
      .record({
        entropy: entropy(),
        base: bases,
        action: fc.constant(action),
        selected: fc.oneof(
          { withCrossShrink: true },
          { weight: 1, arbitrary: fc.constant(null) },
          { weight: 5, arbitrary: selectedArbitrary(action) },
        ),
        default: fc.oneof(
          { withCrossShrink: true },
          { weight: 3, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: defaultArbitrary },
        ),
      })
      .filter((v) => v.selected !== null || v.default !== null),
  );
}

// ---------------------------------------------------------------------------------------------
// Rules, descriptions, rendering
// ---------------------------------------------------------------------------------------------

function explainSelected(
  flaw: SelectedFlaw,
  action: Action,
): { readonly rule: string; readonly what: string } {
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
      return { rule: "G2", what: `selected ${flaw.option}, ${action} needs ${requiredOption(action)}` };
  }
}

function explainDefault(flaw: DefaultFlaw): { readonly rule: string; readonly what: string } {
  return flaw.kind === "other-option"
    ? { rule: "R7", what: `default ${flaw.option}, not HOLD_PRODUCTION` }
    : { rule: "R8", what: `default ${JSON.stringify(flaw.spelling)}, a look-alike of HOLD_PRODUCTION` };
}

function explanations(value: Value): Array<{ readonly rule: string; readonly what: string }> {
  return [
    ...(value.selected === null ? [] : [explainSelected(value.selected, value.action)]),
    ...(value.default === null ? [] : [explainDefault(value.default)]),
  ];
}

function breaks(value: Value): string | undefined {
  const first = explanations(value)[0];
  return first === undefined ? undefined : `${first.rule}: ${first.what}`;
}

function describe(value: Value): string {
  return `${value.action} request; packet ${explanations(value)
    .map((e) => e.what)
    .join("; ")} (${describeBase(value.base)})`;
}

function selectedRaw(flaw: SelectedFlaw): string {
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

async function render(value: Value, ctx: FamilyContext): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, labelOf(value), value.action, value.base);
  const base = await authorizedRequest(ctx, parts);
  const mutations: Mutation[] = [];
  if (value.selected !== null) {
    mutations.push({ kind: "replace", path: ["selected"], raw: selectedRaw(value.selected) });
  }
  if (value.default !== null) {
    const raw = value.default.kind === "other-option" ? value.default.option : value.default.spelling;
    mutations.push({ kind: "replace", path: ["default"], raw: JSON.stringify(raw) });
  }
  // Signed for real by the owner over exactly these bytes: the seal is perfect, the content is not.
  const owner = keyOf(ctx, "owner");
  const packet = await rawJws(
    headerOf(owner, "decision-packet+jws"),
    renderMutated(parts.packet, mutations),
    owner,
  );
  return renderMutated({ ...base, packet }, []);
}

export const family: ProbeFamily<Value> = {
  id: "P05",
  name: "option-escalation",
  operation: "decide",
  role: "attack",
  rules: ["R7", "R8", "G1", "G2"],
  minRuns: 1_000,
  arbitrary: valueArbitrary,
  render,
  breaks,
  describe,
};
