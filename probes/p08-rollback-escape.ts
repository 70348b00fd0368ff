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
 * rule or a function body; quoted, dollar-quoted, E'' and Unicode-escaped spellings; escapes
 * between decoys that a text classifier misreads (spellings.ts names each class); no-ops that
 * change nothing (C6: the lane must FAIL them, so a PASS is a finding); whole migrations that
 * attack the lane's own session, deadline and role (each alone, in the modes it breaks a rule in);
 * and R4's size edges. A new escape table joins by being listed here.
 */
const PLAIN_TABLES = [
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
const ESCAPE_TABLES = [...PLAIN_TABLES, SQL_ESCAPES.spelled, SQL_ESCAPES.unicodeEscaped];

/**
 * The spellings a naive classifier misses (issue #15), drawn more often than one plain table each:
 * in about 1,000 probes a run, every spelling class shows up in a few percent of them at least
 * (test/fuzz/vocab/sql-spellings.test.ts counts them).
 */
const SPELLINGS = [
  { weight: 2, arbitrary: SQL_ESCAPES.spelled },
  { weight: 2, arbitrary: SQL_ESCAPES.unicodeEscaped },
  { weight: 5, arbitrary: disguised(ESCAPE_TABLES) },
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
      escapes: [...PLAIN_TABLES, ...SPELLINGS],
      noOps: noOp,
      sessionEscapes: SQL_ESCAPES.laneSession,
      sizes: sizeEdges,
    }),
  render: renderRollback,
  breaks: rollbackBreaks,
  describe: describeRollback,
};
