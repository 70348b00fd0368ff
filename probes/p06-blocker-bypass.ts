import fc from "fast-check";
import {
  BLOCKER_STATUSES,
  IRREVERSIBLE_ACTIONS,
  authorizedParts,
  authorizedRequest,
  describeBase,
  headerOf,
  keyOf,
  labelOf,
  lookalikes,
  packetBases,
  rawJws,
  renderMutated,
  validPacket,
  type Action,
  type DecisionPacket,
  type FamilyContext,
  type Mutation,
  type PacketBase,
  type ProbeFamily,
  entropy,
} from "../src/index.js";

/**
 * P06 blocker-bypass (G3): the packet of a fully authorised REAL_RUN or irreversible request,
 * sealed correctly by the owner, carries blockers that are not all discharged, or a blocker list
 * that only looks discharged: look-alike statuses, a duplicate id, a missing or mistyped list,
 * empty or unknown actors. Grants and evidence are perfect.
 */

/**
 * The first two blockers of the authorised packet, both DISCHARGED there (a base with fewer is
 * given the built-in packet's, see withTwoBlockers).
 */
type Which = 0 | 1;
type OpenStatus = Exclude<(typeof BLOCKER_STATUSES)[number], "DISCHARGED">;

type Flaw =
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

interface Value {
  readonly entropy: number;
  /** The packet the request is built on: built in, a seed of corpora/P06/seeds/, or schema-drawn. */
  readonly base: PacketBase;
  readonly action: Action;
  readonly flaws: readonly Flaw[];
}

/** SPEC G3 (and docs/protocol.md: a real run too): the actions that need every blocker discharged. */
const GUARDED: readonly Action[] = ["REAL_RUN", ...IRREVERSIBLE_ACTIONS];
const OPEN_STATUSES = BLOCKER_STATUSES.filter((s): s is OpenStatus => s !== "DISCHARGED");

/** Spellings a lenient comparison would take for DISCHARGED; lookalikes() adds more. */
const DISCHARGED_LOOKALIKES = [
  "discharged",
  "Discharged",
  "DISCHARGED ",
  "DISCHARGED\u200b",
  "DISCH\u0410RGED", // Cyrillic A
  "DI\u0405CHARGED", // Cyrillic DZE for S
  ...lookalikes("DISCHARGED"),
];

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const which = fc.constantFrom<Which>(0, 1);
const openStatus = fc.constantFrom(...OPEN_STATUSES);

const flawArbitrary: fc.Arbitrary<Flaw> = fc.oneof(
  fc.record({ blocker: which, status: openStatus }).map((f): Flaw => ({ kind: "status", ...f })),
  fc
    .record({ blocker: which, spelling: fc.constantFrom(...new Set(DISCHARGED_LOOKALIKES)) })
    .map((f): Flaw => ({ kind: "lookalike-status", ...f })),
  fc
    .record({ blocker: which, form: fc.constantFrom("missing", "null", "array", "object") })
    .map((f): Flaw => ({ kind: "status-shape", ...f })),
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
    .map((f): Flaw => ({ kind: "actors", ...f })),
  openStatus.map((status): Flaw => ({ kind: "added", status })),
  fc
    .record({ status: openStatus, order: fc.constantFrom("open-first", "open-last") })
    .map((f): Flaw => ({ kind: "duplicate-id", ...f })),
  fc
    .constantFrom("missing", "null", "object", "keyed-object", "string", "empty-object")
    .map((form): Flaw => ({ kind: "list", form })),
);

const placeOf = (f: Flaw): string => {
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
function valueArbitrary(ctx: FamilyContext): fc.Arbitrary<Value> {
  const more = fc.oneof(
    { withCrossShrink: true },
    { weight: 1, arbitrary: fc.constant<Flaw[]>([]) },
    { weight: 1, arbitrary: fc.array(flawArbitrary, { minLength: 1, maxLength: 2 }) },
  );
  return fc.record({
    entropy: entropy(),
    base: packetBases(ctx, "P06"),
    action: fc.constantFrom(...GUARDED),
    flaws: fc
      .tuple(flawArbitrary, more)
      .map(([first, rest]) => [first, ...rest])
      .filter(
        (fs) =>
          new Set(fs.map(placeOf)).size === fs.length &&
          (fs.length === 1 || !fs.some((f) => f.kind === "list")),
      ),
  });
}

// ---------------------------------------------------------------------------------------------
// Rules, descriptions, rendering
// ---------------------------------------------------------------------------------------------

function explain(flaw: Flaw): { readonly rule: string; readonly what: string } {
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

function breaks(value: Value): string | undefined {
  const first = value.flaws[0];
  if (first === undefined) return undefined;
  const { rule, what } = explain(first);
  return `${rule}: ${what} (${value.action})`;
}

function describe(value: Value): string {
  return `${value.action} request; ${value.flaws.map((f) => explain(f).what).join("; ")} (${describeBase(value.base)})`;
}

type Raw = Record<string, unknown>;

function statusValue(form: Extract<Flaw, { kind: "status-shape" }>["form"]): unknown {
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

/** The blockers member as raw JSON, or undefined to remove it. */
function blockersRaw(value: Value, original: readonly Raw[]): string | undefined {
  const blockers: Raw[] = original.map((b) => ({ ...b }));
  const list = value.flaws.find((f) => f.kind === "list");
  if (list?.kind === "list") {
    switch (list.form) {
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
  // Added blockers go around the list, never into it, so indexed flaws still hit their blocker.
  const prepended: Raw[] = [];
  const appended: Raw[] = [];
  for (const flaw of value.flaws) {
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

/**
 * Flaws name blocker 0 or 1: a base with fewer blockers (a seed or a generated packet may have
 * none) is given the built-in packet's discharged ones, under ids it does not already use.
 */
function withTwoBlockers(ctx: FamilyContext, packet: DecisionPacket): DecisionPacket {
  if (packet.blockers.length >= 2) return packet;
  const used = new Set(packet.blockers.map((b) => b.id));
  const extra = validPacket(ctx, packet.selected).blockers.filter((b) => !used.has(b.id));
  return { ...packet, blockers: [...packet.blockers, ...extra].slice(0, 2) };
}

async function render(value: Value, ctx: FamilyContext): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, labelOf(value), value.action, value.base);
  const base = await authorizedRequest(ctx, parts);
  const authorized = withTwoBlockers(ctx, parts.packet);
  const raw = blockersRaw(
    value,
    authorized.blockers.map((b): Raw => ({ ...b })),
  );
  const mutation: Mutation =
    raw === undefined ? { kind: "remove", path: ["blockers"] } : { kind: "replace", path: ["blockers"], raw };
  // Signed for real by the owner over exactly these bytes: the seal is perfect, the content is not.
  const owner = keyOf(ctx, "owner");
  const packet = await rawJws(
    headerOf(owner, "decision-packet+jws"),
    renderMutated(authorized, [mutation]),
    owner,
  );
  return renderMutated({ ...base, packet }, []);
}

export const family: ProbeFamily<Value> = {
  id: "P06",
  name: "blocker-bypass",
  operation: "decide",
  role: "attack",
  rules: ["G3", "R7", "R8"],
  minRuns: 1_000,
  arbitrary: valueArbitrary,
  render,
  breaks,
  describe,
};
