import type { Explained } from "../flaw.js";
import type { Escape, EscapeClass, Mode } from "./words.js";

/**
 * What each escape class breaks, and in which modes: sequences are restored with the snapshot in
 * snapshot_restore mode, so only ROLLBACK misses them.
 */
export const ESCAPE_CLASSES: Readonly<
  Record<EscapeClass, { readonly modes: readonly Mode[]; readonly breaks: Explained }>
> = {
  transaction_control: {
    modes: ["transactional", "snapshot_restore"],
    breaks: { rule: "C2", what: "transaction control" },
  },
  non_transactional: {
    modes: ["transactional", "snapshot_restore"],
    breaks: { rule: "C2", what: "cannot run inside the rehearsal's transaction" },
  },
  cluster_wide: {
    modes: ["transactional", "snapshot_restore"],
    breaks: { rule: "C2", what: "cluster-wide change" },
  },
  side_channel: {
    modes: ["transactional", "snapshot_restore"],
    breaks: { rule: "C2", what: "side channel" },
  },
  session_state: {
    modes: ["transactional", "snapshot_restore"],
    breaks: { rule: "C5", what: "session state the digest and later statements depend on" },
  },
  opaque_code: {
    modes: ["transactional", "snapshot_restore"],
    breaks: { rule: "C2", what: "code the parser cannot see into" },
  },
  meta_command: {
    modes: ["transactional", "snapshot_restore"],
    breaks: { rule: "C2", what: "psql meta-command" },
  },
  sequence: {
    modes: ["transactional"],
    breaks: { rule: "C3", what: "sequence change that survives ROLLBACK" },
  },
  no_op: {
    modes: ["transactional", "snapshot_restore"],
    breaks: { rule: "C6", what: "a migration that changes nothing (after_apply equals before)" },
  },
  // Each entry names its own rule and, where narrower, its modes (lane-session-escapes.ts).
  lane_session: {
    modes: ["transactional", "snapshot_restore"],
    breaks: { rule: "C3", what: "an attack on the lane's own session" },
  },
};

/** The modes an escape breaks a rule in: its own where it narrows its class's. */
export function modesOf(escape: Escape): readonly Mode[] {
  return escape.modes ?? ESCAPE_CLASSES[escape.cls].modes;
}

/** What an escape breaks: its class's rule unless it names its own. */
export function breaksOf(escape: Escape): Explained {
  const { breaks } = ESCAPE_CLASSES[escape.cls];
  return {
    rule: escape.rule ?? breaks.rule,
    ...(escape.also === undefined ? {} : { also: escape.also }),
    what: `${breaks.what}: ${escape.what}`,
  };
}
