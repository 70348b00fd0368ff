import {
  DEFAULT_FLAWS,
  SELECTED_FLAWS,
  describeOptions,
  optionBreaks,
  optionValues,
  renderOptions,
  type OptionValue,
  type ProbeFamily,
} from "../src/index.js";

/**
 * P05 option-escalation (section 3, G1, G2): the packet of a fully authorised request, re-sealed
 * by the owner, carries a flaw of its `selected` member (look-alike, unknown, several or indexed
 * options, HOLD_PRODUCTION, an option too weak for the action), of its `default`, or both.
 */
export const family: ProbeFamily<OptionValue> = {
  id: "P05",
  name: "option-escalation",
  operation: "decide",
  role: "attack",
  rules: ["R7", "R8", "G1", "G2"],
  minRuns: 1_000,
  arbitrary: (ctx) => optionValues(ctx, "P05", { selected: SELECTED_FLAWS, default: DEFAULT_FLAWS }),
  render: renderOptions,
  breaks: optionBreaks,
  describe: describeOptions,
};
