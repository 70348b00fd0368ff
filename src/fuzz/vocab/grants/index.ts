import { applyGrantProblem } from "./apply.js";
import { explainGrantProblem, problemArbitrary } from "./problems.js";

export * from "./problems.js";
export { renderGrants } from "./apply.js";

/** The grant problem table: drawn per action, explained, applied to one grant slot. */
export const GRANT_PROBLEMS = {
  arbitrary: problemArbitrary,
  explain: explainGrantProblem,
  apply: applyGrantProblem,
};
