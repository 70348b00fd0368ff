/**
 * G5 under concurrency: the copies of one fully authorised request, fired at once, are judged
 * together, and exactly one of them may be allowed. Each copy is judged with every copy's answer
 * (decoded once): a copy that is allowed after an earlier copy already was is the double spend,
 * and a race that allowed none is a refused authorised request (F5), reported on its first copy.
 * Leaks and structure are judged on each copy by their own oracles ("all").
 */
import type { Oracle, OracleInput, OracleVerdict } from "../types.js";
import { isPositiveAnswer } from "./answer.js";

function judgeSync({ race }: OracleInput): OracleVerdict {
  if (race === undefined) return { kind: "error", detail: "a race copy judged without the race's answers" };
  const { copy, answers } = race;
  const allowedCopies = answers.flatMap((answer, index) => (isPositiveAnswer(answer) ? [index] : []));
  const copies = answers.length;
  if (allowedCopies.length === 0)
    return copy === 0
      ? {
          kind: "fail",
          reason: `none of ${copies} concurrent copies of a fully authorised request was allowed (F5)`,
        }
      : { kind: "pass" };
  const first = allowedCopies[0] ?? 0;
  if (copy !== first && allowedCopies.includes(copy))
    return {
      kind: "fail",
      reason: `${allowedCopies.length} of ${copies} concurrent copies were allowed: double spend (G5)`,
    };
  return { kind: "pass" };
}

export const raceOracle: Oracle = {
  name: "double-spend",
  rule: "F1",
  appliesTo: "race",
  judge: (input) => Promise.resolve(judgeSync(input)),
};
