import {
  SQL_ESCAPES,
  describeRollback,
  disguised,
  noOp,
  renderRollback,
  rollbackBreaks,
  rollbackValues,
  sizeEdges,
  type ProbeFamily,
  type RollbackValue,
} from "../src/index.js";

/**
 * P08 rollback-escape (C2-C6, R4): migrations that try to outlive the rehearsal's ROLLBACK or
 * snapshot restore: a clean prefix plus escapes from these tables, in a drawn case, whitespace,
 * comments and separators, at top level or hidden in a CTE, a DEFAULT, a CHECK, a view, a rule or
 * a function body; sequences (weight 2: the one change ROLLBACK misses); quoted, dollar-quoted,
 * E'' and Unicode-escaped spellings and decoys a text classifier misreads (weights 2, 2, 5; #15);
 * no-ops (C6: a PASS is a finding); whole migrations that attack the lane's own session, deadline
 * and role (alone, in the modes each breaks a rule in); R4's size edges. A table joins by a line.
 */
const PLAIN = [
  ...[SQL_ESCAPES.transactionControl, SQL_ESCAPES.nonTransactional, SQL_ESCAPES.clusterWide],
  ...[SQL_ESCAPES.sideChannel, SQL_ESCAPES.sessionState, SQL_ESCAPES.opaqueCode],
  ...[SQL_ESCAPES.metaCommand, SQL_ESCAPES.hidden, SQL_ESCAPES.ruleAction],
];
const WEIGHTED = [
  { weight: 2, arbitrary: SQL_ESCAPES.sequence },
  { weight: 2, arbitrary: SQL_ESCAPES.spelled },
  { weight: 2, arbitrary: SQL_ESCAPES.unicodeEscaped },
  {
    weight: 5,
    arbitrary: disguised([...PLAIN, SQL_ESCAPES.sequence, SQL_ESCAPES.spelled, SQL_ESCAPES.unicodeEscaped]),
  },
];

export const family: ProbeFamily<RollbackValue> = {
  id: "P08",
  name: "rollback-escape",
  operation: "rehearse",
  role: "attack",
  rules: ["C2", "C3", "C4", "C5", "C6", "R4"],
  minRuns: 150,
  arbitrary: () =>
    rollbackValues({
      escapes: [...PLAIN, ...WEIGHTED],
      noOps: noOp,
      sessionEscapes: SQL_ESCAPES.laneSession,
      sizes: sizeEdges,
    }),
  render: renderRollback,
  breaks: rollbackBreaks,
  describe: describeRollback,
};
