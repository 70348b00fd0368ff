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
 * comments and statement separators, at top level or hidden in a CTE, a DEFAULT, a CHECK, a view, a
 * rule or a function body; quoted and dollar-quoted spellings; escapes between decoy strings;
 * no-ops that change nothing; whole migrations that attack the lane's own session, deadline and
 * role (each alone, in the modes it breaks a rule in); and R4's size edges. A new escape table
 * joins by being listed here.
 */
const ESCAPE_TABLES = [
  SQL_ESCAPES.transactionControl,
  SQL_ESCAPES.nonTransactional,
  SQL_ESCAPES.clusterWide,
  SQL_ESCAPES.sideChannel,
  SQL_ESCAPES.sessionState,
  SQL_ESCAPES.opaqueCode,
  SQL_ESCAPES.metaCommand,
  SQL_ESCAPES.sequence,
  SQL_ESCAPES.hidden,
  SQL_ESCAPES.ruleAction,
  SQL_ESCAPES.spelled,
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
      escapes: [...ESCAPE_TABLES, disguised(ESCAPE_TABLES)],
      noOps: noOp,
      sessionEscapes: SQL_ESCAPES.laneSession,
      sizes: sizeEdges,
    }),
  render: renderRollback,
  breaks: rollbackBreaks,
  describe: describeRollback,
};
