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
import { ESCAPE_CLASSES } from "./classes.js";
import { prefixArb } from "./prefix.js";
import { migrationOf, placementOf } from "./render.js";
import type { RollbackValue } from "./rollback-value.js";
import { styleArbitrary } from "./style.js";
import { pick, type Escape } from "./words.js";

/** The first escape that breaks a rule in this mode: the one a shrunk finding names. */
function firstApplicable(value: RollbackValue): Escape | undefined {
  return value.escapes.find((e) => ESCAPE_CLASSES[e.cls].modes.includes(value.mode));
}

/**
 * The mode is drawn among those the first escape applies to, inside the map: when the shrinker
 * replaces the first escape, the mode follows, so a shrunk value still breaks a rule.
 */
export function rollbackValues(tables: readonly fc.Arbitrary<Escape>[]): fc.Arbitrary<RollbackValue> {
  const escape = fc.oneof(...tables);
  return fc
    .record({
      entropy: entropy(),
      modePick: fc.nat(),
      prefix: prefixArb,
      placement: pick("end", "after-create", "start"),
      escapes: fc.array(escape, { minLength: 1, maxLength: 3 }),
      style: styleArbitrary,
    })
    .map(({ modePick, escapes, ...rest }): RollbackValue => {
      const modes = ESCAPE_CLASSES[escapes[0]?.cls ?? "sequence"].modes;
      return { ...rest, escapes, mode: modes[modePick % modes.length] ?? "transactional" };
    });
}

export function rollbackBreaks(value: RollbackValue): string | undefined {
  const escape = firstApplicable(value);
  if (escape === undefined) return undefined;
  const { breaks } = ESCAPE_CLASSES[escape.cls];
  return breaksText({ ...breaks, what: `${breaks.what}: ${escape.what}` });
}

export function describeRollback(value: RollbackValue): string {
  const whats = value.escapes.map((e) => e.what).join("; ");
  return `${value.mode}: ${whats} (${placementOf(value)}, ${value.style.casing} case)`;
}

export function renderRollback(value: RollbackValue, ctx: FamilyContext): Promise<Uint8Array> {
  const request = rehearsalRequest(ctx, labelOf(value), value.mode, migrationOf(value));
  return Promise.resolve(renderMutated(request, []));
}
