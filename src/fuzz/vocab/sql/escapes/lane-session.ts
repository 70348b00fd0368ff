/**
 * The lane-session class (issues #14, #18): LANE_SESSION_ESCAPES as P08 escapes. Each entry is a
 * whole migration kept byte for byte (a raw statement: function bodies, dynamic SQL and string
 * literals mean what they say), with its own rule and modes; an entry that would wait for the
 * lane's deadline comes in its bounded spelling, so a default run stays fast.
 */
import fc from "fast-check";
import { LANE_SESSION_ESCAPES, type LaneSessionEscape } from "../../lane-session-escapes.js";
import type { Escape } from "../words.js";

export function laneSessionEscape(entry: LaneSessionEscape): Escape {
  return {
    cls: "lane_session",
    what: entry.short === undefined ? entry.name : `${entry.name} (bounded: 1.5 s)`,
    stmts: [{ raw: entry.short ?? entry.sql }],
    modes: entry.modes,
    // P08 names one rule a finding breaks; the entry's `also` is for the reader of the table.
    rule: entry.rule,
  };
}

export const laneSession: fc.Arbitrary<Escape> = fc.constantFrom(
  ...LANE_SESSION_ESCAPES.map(laneSessionEscape),
);
