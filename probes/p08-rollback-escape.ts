import {
  SQL_ESCAPES,
  describeRollback,
  renderRollback,
  rollbackBreaks,
  rollbackValues,
  type ProbeFamily,
  type RollbackValue,
} from "../src/index.js";

/**
 * P08 rollback-escape (C2-C6): migrations that try to outlive the rehearsal's ROLLBACK or snapshot
 * restore: a clean prefix plus escapes from these tables, in a drawn case, whitespace and comments,
 * at top level or hidden in a CTE, a DEFAULT, a CHECK, a view, a rule or a function body. A new
 * escape table joins P08 by being added to this list.
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
];

export const family: ProbeFamily<RollbackValue> = {
  id: "P08",
  name: "rollback-escape",
  operation: "rehearse",
  role: "attack",
  rules: ["C2", "C3", "C4", "C5", "C6"],
  minRuns: 150,
  arbitrary: () => rollbackValues(ESCAPE_TABLES),
  render: renderRollback,
  breaks: rollbackBreaks,
  describe: describeRollback,
};
