import { assertNever } from "../../kernel/result.js";
import type { FamilyStatus } from "../types.js";

/** The few styles the console uses: a state at a glance, never the only carrier of meaning. */
export type Style = "good" | "bad" | "warn" | "busy" | "dim" | "plain";

const SGR: Record<Exclude<Style, "plain">, string> = {
  good: "32",
  bad: "1;31",
  warn: "33",
  busy: "36",
  dim: "2",
};

export type Paint = (style: Style, text: string) => string;

/**
 * Colours a whole line. Applied last, after the canary scan and the cut to the terminal's
 * width, so an escape code never counts against the width nor hides a canary from the scan.
 */
export function painter(enabled: boolean): Paint {
  if (!enabled) return (_style, text) => text;
  return (style, text) => (style === "plain" || text === "" ? text : `\u001b[${SGR[style]}m${text}\u001b[0m`);
}

/**
 * Colour on a terminal, off when NO_COLOR is set to anything but the empty string
 * (https://no-color.org) or when the output is not a terminal (CI logs, files, pipes).
 */
export function colourWanted(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  const noColor = env["NO_COLOR"];
  return isTTY && (noColor === undefined || noColor === "");
}

/** A family's state as the progress shows it. */
export function styleOfState(state: "waiting" | "running" | FamilyStatus["kind"]): Style {
  switch (state) {
    case "waiting":
      return "dim";
    case "running":
      return "busy";
    case "closed":
      return "good";
    case "finding":
      return "bad";
    case "inconclusive":
      return "warn";
    default:
      return assertNever(state, "family state");
  }
}
