/**
 * P08 rollback-escape (C2-C6): migrations that try to outlive the rehearsal's ROLLBACK or snapshot
 * restore. Each is a clean prefix plus one to three escapes drawn from the escape tables a family
 * declares, rendered in a drawn style. The tables are a list so another table (the lane's own
 * session, say) joins by being added to it.
 */
import fc from "fast-check";
import { labelOf } from "../../craft/authorized.js";
import { rehearsalRequest } from "../../craft/documents.js";
import { entropy } from "../../craft/entropy.js";
import { renderMutated } from "../../craft/json-render.js";
import type { FamilyContext } from "../../types.js";
import { breaksText } from "../flaw.js";
import { breaksOf, modesOf } from "./classes.js";
import { prefixArb } from "./prefix.js";
import { migrationOf, placementOf } from "./render.js";
import type { RollbackValue } from "./rollback-value.js";
import { spellingsOf } from "./spellings.js";
import { styleArbitrary } from "./style.js";
import { padRequest, explainSize, type SizeEdge } from "./sizes.js";
import { pick, type Escape, type Mode } from "./words.js";

/** The first escape that breaks a rule in this mode: the one a shrunk finding names. */
function firstApplicable(value: RollbackValue): Escape | undefined {
  return value.escapes.find((e) => modesOf(e).includes(value.mode));
}

/** What P08 draws from: escape tables, the escapes that stand alone, and R4's size edges. */
export interface RollbackGrammar {
  /** Escape tables, each weight 1 unless weighted (spellings drawn more often than one table). */
  readonly escapes: readonly (fc.Arbitrary<Escape> | fc.WeightedArbitrary<Escape>)[];
  /** Migrations that change nothing (C6): alone, weight 1 against the prefixed escapes' 12. */
  readonly noOps?: fc.Arbitrary<Escape>;
  /**
   * Whole migrations that attack the lane's own session (lane_session): alone too, since each is
   * built so that its only effect is the attack; weight 2 (at P08's 150 runs, about one draw of
   * each of the 20 entries a run).
   */
  readonly sessionEscapes?: fc.Arbitrary<Escape>;
  readonly sizes?: fc.Arbitrary<SizeEdge>;
}

const modeFor = (escape: Escape | undefined, pick: number): Mode => {
  const modes = escape === undefined ? ["transactional" as const] : modesOf(escape);
  return modes[pick % modes.length] ?? "transactional";
};

/** One escape with no prefix and nothing else: the mode drawn among those it applies to. */
function alone(escape: fc.Arbitrary<Escape>, size: fc.Arbitrary<SizeEdge>): fc.Arbitrary<RollbackValue> {
  return fc
    .record({ entropy: entropy(), modePick: fc.nat(), escape, style: styleArbitrary, size })
    .map(({ modePick, escape: drawn, ...rest }): RollbackValue => ({
      ...rest,
      prefix: null,
      placement: "end",
      escapes: [drawn],
      mode: modeFor(drawn, modePick),
    }));
}

/**
 * The mode is drawn among those the first escape applies to, inside the map: when the shrinker
 * replaces the first escape, the mode follows, so a shrunk value still breaks a rule. A no-op or a
 * session escape comes without the prefix (which would change the clone) and without others.
 */
export function rollbackValues(grammar: RollbackGrammar): fc.Arbitrary<RollbackValue> {
  const escape = fc.oneof(...grammar.escapes);
  const size = grammar.sizes ?? fc.constant<SizeEdge>("within");
  const escapes = fc
    .record({
      entropy: entropy(),
      modePick: fc.nat(),
      prefix: prefixArb,
      placement: pick("end", "after-create", "start"),
      escapes: fc.array(escape, { minLength: 1, maxLength: 3 }),
      style: styleArbitrary,
      size,
    })
    .map(({ modePick, ...rest }): RollbackValue => ({ ...rest, mode: modeFor(rest.escapes[0], modePick) }));
  const arms: fc.WeightedArbitrary<RollbackValue>[] = [{ weight: 12, arbitrary: escapes }];
  if (grammar.noOps !== undefined) arms.push({ weight: 1, arbitrary: alone(grammar.noOps, size) });
  if (grammar.sessionEscapes !== undefined)
    arms.push({ weight: 2, arbitrary: alone(grammar.sessionEscapes, size) });
  return arms.length === 1 ? escapes : fc.oneof(...arms);
}

/** R4 first (a lane refuses the size before it reads the SQL), else the first applicable escape. */
export function rollbackBreaks(value: RollbackValue): string | undefined {
  const size = explainSize(value.size);
  if (size !== undefined) return breaksText(size);
  const escape = firstApplicable(value);
  return escape === undefined ? undefined : breaksText(breaksOf(escape));
}

/** The spellings a finding names: the classes beyond the multi-statement string most probes are. */
function spelledWith(value: RollbackValue): string {
  const names = [...spellingsOf(value)].filter((s) => s !== "multi-statement" && s !== "mixed-case");
  return names.length === 0 ? "" : `, spelled with ${names.join(", ")}`;
}

export function describeRollback(value: RollbackValue): string {
  const whats = value.escapes.map((e) => e.what).join("; ");
  const where = value.prefix === null ? "alone" : placementOf(value);
  const size = value.size === "within" ? "" : `, ${value.size}`;
  return `${value.mode}: ${whats} (${where}, ${value.style.casing} case${spelledWith(value)}${size})`;
}

export function renderRollback(value: RollbackValue, ctx: FamilyContext): Promise<Uint8Array> {
  const request = rehearsalRequest(ctx, labelOf(value), value.mode, migrationOf(value));
  return Promise.resolve(padRequest(renderMutated(request, []), value.size));
}
