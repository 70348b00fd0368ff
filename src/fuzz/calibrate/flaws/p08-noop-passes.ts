/**
 * P08's flawed validator for C6: `after_apply != before` skipped. The validator checks that the
 * clone came back (`after_rollback` equals `before`) and that nothing escaped, but never that the
 * migration changed anything, so a migration that changes nothing (SELECT 1, an UPDATE … WHERE
 * false, a table created and dropped) PASSes: a rehearsal that proved nothing. SPEC C6: PASS only
 * if `after_apply` differs from `before`; the shipped lane answers FAIL with `no_change`.
 *
 * The validator is not a seam of its own, so the flaw sits at the result writer: a FAIL whose only
 * reason is `no_change` is answered PASS, with its digests and evidence tree, as such a validator
 * would have answered. The lane's own seal on disk still says FAIL and the answer carries none, so
 * it is written as plain JSON (the shipped encoder refuses a PASS without its seal); a client
 * reading the verdict member reads PASS all the same.
 */
import { SHIPPED_LANE_COMPONENTS, type WriteResult } from "../../../lane/index.js";

export const noOpPasses: WriteResult = (result, request) => {
  const onlyNoChange =
    result.verdict === "FAIL" && result.reasons.length === 1 && result.reasons[0] === "no_change";
  if (!onlyNoChange) return SHIPPED_LANE_COMPONENTS.writeResult(result, request);
  return Buffer.from(JSON.stringify({ ...result, verdict: "PASS", reasons: [] }), "utf8");
};
