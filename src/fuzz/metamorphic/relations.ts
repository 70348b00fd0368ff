/**
 * The metamorphic relations on the gate's decision (issue #15, as Cedar's differential testing
 * does), each stated from SPEC, never from the lane's decisions. A relation derives a variant from
 * a source probe and says what the variant must get, given what the source got:
 *
 * - `not-allow`: the variant is never ALLOW. Where this holds for allowed sources too, it is because
 *   SPEC forbids the variant itself (a needed grant gone or out of its window, an option that does
 *   not permit the action, an open blocker on a real run), whatever the source.
 * - `identical`: the same verdict and the same reason codes as the source.
 *
 * What a relation does NOT claim is as deliberate: removing an arbitrary grant may legitimately
 * turn a refusal into ALLOW (an extra grant is refused, docs/protocol.md), so only every grant for
 * a needed action is removed; an open blocker says nothing for DRYRUN or REALRUN_PRECHECK from an
 * allowed source (G3 asks discharged blockers only of a real run and the irreversible actions).
 */
import { formatTimestamp, MAX_DOCUMENT_BYTES, type KeyEntry, type Option } from "../../lane/index.js";
import { grantsNeeded, needsDischargedBlockers, OPTION_LADDER, optionAllows } from "../contract/contract.js";
import { grantList, packetJws, requestBytes, type Derivation } from "./assemble.js";
import { reversedMembers, stringMember, withMember, type Json, type JsonObject } from "./json.js";
import type { GrantSlot, Source } from "./source.js";

export const RELATION_IDS = [
  "same-bytes",
  "grant-removed",
  "window-moved",
  "option-weakened",
  "blocker-added",
  "members-reordered",
  "resealed-same-role",
] as const;
export type RelationId = (typeof RELATION_IDS)[number];

/** What the gate answered the source: a refusal (HOLD or DENY), or ALLOW. */
export type Standing = "refused" | "allowed";
export type Expect = "not-allow" | "identical";

export interface Variant {
  readonly bytes: Uint8Array;
  /** The edit, in the fuzzer's own words: never a byte of the probe (G7 holds for findings too). */
  readonly what: string;
}

export interface Relation {
  readonly id: RelationId;
  /** The SPEC rules it is stated from. */
  readonly rules: string;
  /** Why it holds, in a sentence, for findings. */
  readonly statement: string;
  /** Whether it needs the source opened (canonical JSON); same-bytes fires any bytes. */
  readonly needsSource: boolean;
  /** What a variant of a source that got `standing` must get; undefined: nothing is claimed. */
  expects(action: Source["action"] | undefined, standing: Standing): Expect | undefined;
  derive(bytes: Uint8Array, source: Source | undefined, d: Derivation): Promise<Variant | undefined>;
}

/** A number drawn from the source's digest: the same probe always makes the same choices. */
function draw(source: Source, slot: number): number {
  return Number.parseInt(source.digest.slice(8 * slot, 8 * slot + 8), 16);
}

/** The needed actions, starting at a drawn one: a relation takes the first it can work on. */
function neededInDrawnOrder(source: Source): readonly string[] {
  const needed = grantsNeeded(source.action);
  const start = draw(source, 1) % needed.length;
  return [...needed.slice(start), ...needed.slice(0, start)];
}

const allKnown = (slots: readonly GrantSlot[]): boolean => slots.every((s) => s.action !== undefined);

const sameBytes: Relation = {
  id: "same-bytes",
  rules: "G5, G8",
  statement:
    "a refused request changes nothing but the audit log (G8), so the same bytes get the same answer; " +
    "an allowed one spent its grants (G5), so the same bytes again are a replay and never ALLOW",
  needsSource: false,
  expects: (_action, standing) => (standing === "refused" ? "identical" : "not-allow"),
  derive: (bytes) => Promise.resolve({ bytes, what: "the same bytes fired again" }),
};

const grantRemoved: Relation = {
  id: "grant-removed",
  rules: "G2, G3",
  statement: "an action needs a grant for each needed action (G2, G3): without one it is never ALLOW",
  needsSource: true,
  expects: () => "not-allow",
  async derive(_bytes, source, d) {
    if (source === undefined || !allKnown(source.grants)) return undefined;
    for (const action of neededInDrawnOrder(source)) {
      const kept = source.grants.filter((s) => s.action !== action);
      if (kept.length === source.grants.length) continue;
      const grants = await grantList(kept, d);
      if (grants === undefined) return undefined;
      return { bytes: requestBytes(source, undefined, grants), what: `every ${action} grant removed` };
    }
    return undefined;
  },
};

const DAY = 24 * 3600;

const windowMoved: Relation = {
  id: "window-moved",
  rules: "G3, R9",
  statement:
    "a grant is used only inside its validity window (G3, R9: at most 5 minutes of skew): with every " +
    "grant for a needed action valid only from tomorrow, the request is never ALLOW",
  needsSource: true,
  expects: () => "not-allow",
  async derive(_bytes, source, d) {
    if (source === undefined || !allKnown(source.grants)) return undefined;
    const from = formatTimestamp(d.keys.now + DAY);
    const until = formatTimestamp(d.keys.now + 2 * DAY);
    const moved = (payload: JsonObject): JsonObject =>
      withMember(withMember(payload, "not_before", from), "expires_at", until);
    for (const action of neededInDrawnOrder(source)) {
      const targets = source.grants.filter((s) => s.action === action);
      if (targets.length === 0) continue;
      const windowed = targets.every((s) => {
        const payload = s.sealed?.payload;
        return payload !== undefined && ["not_before", "expires_at"].every((m) => stringMember(payload, m));
      });
      if (!windowed) return undefined;
      const grants = await grantList(source.grants, d, (s) => (s.action === action ? { edit: moved } : {}));
      if (grants === undefined) return undefined;
      return {
        bytes: requestBytes(source, undefined, grants),
        what: `every ${action} grant's window moved to ${from}..${until}`,
      };
    }
    return undefined;
  },
};

/** The strongest option that does not permit the action, below the current one when it is an option. */
function weakerOption(current: string | undefined, action: Source["action"]): Option | undefined {
  const forbidding = OPTION_LADDER.filter((o) => !optionAllows(o, action));
  const strongest = forbidding[forbidding.length - 1];
  const index = OPTION_LADDER.findIndex((o) => o === current);
  if (index < 0 || strongest === undefined) return strongest;
  return index > OPTION_LADDER.indexOf(strongest) ? strongest : OPTION_LADDER[index - 1];
}

const optionWeakened: Relation = {
  id: "option-weakened",
  rules: "G1, G2, G3",
  statement:
    "a weaker option never implies a stronger one (G2): under an option that does not permit the " +
    "action, or HOLD_PRODUCTION (G1), the request is never ALLOW",
  needsSource: true,
  expects: () => "not-allow",
  async derive(_bytes, source, d) {
    const packet = source?.packet;
    if (source === undefined || packet === undefined) return undefined;
    const target = weakerOption(stringMember(packet.payload, "selected"), source.action);
    if (target === undefined) return undefined;
    const jws = await packetJws(packet, (p) =>
      Object.hasOwn(p, "selected") ? withMember(p, "selected", target) : undefined,
    );
    const grants = await grantList(source.grants, d);
    if (jws === undefined || grants === undefined) return undefined;
    return { bytes: requestBytes(source, jws, grants), what: `selected weakened to ${target}` };
  },
};

const blockerAdded: Relation = {
  id: "blocker-added",
  rules: "G3, section 3",
  statement:
    "only DISCHARGED closes a blocker, and a real run or an irreversible action needs every blocker " +
    "closed (G3): an added OPEN blocker never lets a request through",
  needsSource: true,
  expects: (action, standing) =>
    standing === "refused" || (action !== undefined && needsDischargedBlockers(action))
      ? "not-allow"
      : undefined,
  async derive(_bytes, source, d) {
    const packet = source?.packet;
    const blockers =
      packet !== undefined && Object.hasOwn(packet.payload, "blockers")
        ? packet.payload["blockers"]
        : undefined;
    if (source === undefined || packet === undefined || !Array.isArray(blockers)) return undefined;
    const list = blockers as readonly Json[];
    // The operator is an actor SPEC names (section 3): a gate that counts only the owner's blockers
    // is as wrong as one that counts none.
    const added: JsonObject = {
      id: `MM-OPEN-${source.digest.slice(0, 8).toUpperCase()}`,
      status: "OPEN",
      actors: ["operator"],
      gate: "added open by a metamorphic relation",
    };
    const jws = await packetJws(packet, (p) => withMember(p, "blockers", [...list, added]));
    const grants = await grantList(source.grants, d);
    if (jws === undefined || grants === undefined) return undefined;
    return { bytes: requestBytes(source, jws, grants), what: `an OPEN blocker of the operator's appended` };
  },
};

const membersReordered: Relation = {
  id: "members-reordered",
  rules: "R7, G3",
  statement:
    "a JSON object's members have no order (SPEC fixes none) and neither has the grants list (G3 " +
    "names grants by action; of two grants that fail their seal, the first is reported, so such a " +
    "list keeps its order): the reversed request gets the same verdict and reasons",
  needsSource: true,
  expects: () => "identical",
  async derive(_bytes, source, d) {
    if (source === undefined) return undefined;
    const packet =
      source.packet === undefined
        ? undefined
        : await packetJws(source.packet, (p) => reversedMembers(p) as JsonObject);
    const grants = await grantList(source.grants, d, (s) =>
      s.sealed === undefined ? {} : { edit: (p) => reversedMembers(p) as JsonObject },
    );
    if (grants === undefined) return undefined;
    // Two grants that fail verification are reported in list order (the first decides), so the
    // list is reversed only where at most one of them can fail: then no order changes the reason.
    const failing = source.grants.filter((s) => !s.verifies).length;
    const listed = failing <= 1 ? [...grants].reverse() : grants;
    const request = withMember(
      packet === undefined ? source.request : withMember(source.request, "packet", packet),
      "grants",
      listed,
    );
    return {
      bytes: Buffer.from(JSON.stringify(reversedMembers(request)), "utf8"),
      what:
        failing <= 1
          ? "every object's members and the grants list reversed"
          : "every object's members reversed",
    };
  },
};

/**
 * Another key of the same role that can seal, drawn; undefined when the keyring has none. Only one
 * with the same algorithm and a kid as long: the re-sealed request then has exactly the source's
 * size, so no limit of R4 (a 4,096-character string, a 65,536-byte document) can tell them apart.
 */
function anotherOf(key: KeyEntry, d: Derivation, pick: number): KeyEntry | undefined {
  const others = [...d.keys.keyring.values()]
    .filter(
      (k) =>
        k.role === key.role &&
        k.kid !== key.kid &&
        k.alg === key.alg &&
        k.kid.length === key.kid.length &&
        k.signKey !== undefined,
    )
    .sort((a, b) => (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0));
  return others[pick % Math.max(1, others.length)];
}

const resealedSameRole: Relation = {
  id: "resealed-same-role",
  rules: "S1, S2",
  statement:
    "any key of the owner role seals packets and grants (S1), found by its kid (S2): sealed by another " +
    "owner key, the request gets the same verdict and reasons",
  needsSource: true,
  expects: () => "identical",
  async derive(_bytes, source, d) {
    if (source === undefined) return undefined;
    const pick = draw(source, 2);
    const packetKey = source.packet === undefined ? undefined : anotherOf(source.packet.key, d, pick);
    const packet =
      source.packet === undefined || packetKey === undefined
        ? undefined
        : await packetJws(source.packet, (p) => p, packetKey);
    let changed = packet !== undefined;
    const grants = await grantList(source.grants, d, (s) => {
      const key = s.sealed === undefined ? undefined : anotherOf(s.sealed.key, d, pick);
      changed ||= key !== undefined;
      return key === undefined ? {} : { key };
    });
    if (!changed || grants === undefined) return undefined;
    return {
      bytes: requestBytes(source, packet, grants),
      what: "packet and grants re-sealed by another owner key",
    };
  },
};

export const RELATIONS: readonly Relation[] = Object.freeze([
  sameBytes,
  grantRemoved,
  windowMoved,
  optionWeakened,
  blockerAdded,
  membersReordered,
  resealedSameRole,
]);

/**
 * An `identical` variant that crosses R4's document limit where its source did not (or the other
 * way) may rightly be answered otherwise: such a pair is not derived.
 */
export function keepsSizeClass(source: Source | undefined, bytes: Uint8Array, sourceSize: number): boolean {
  const size = source?.size ?? sourceSize;
  return size <= MAX_DOCUMENT_BYTES === bytes.length <= MAX_DOCUMENT_BYTES;
}
