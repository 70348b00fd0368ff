// The attack vocabulary: every family's flaw tables, named by the rule each flaw breaks. Probe
// files declare which tables they draw from; everything that builds, explains and applies a flaw
// lives here, where test/fuzz/vocab tests it.
export * from "./rule-id.js";
export * from "./malformed.js";
export * from "./clean-migrations.js";
export * from "./flaw.js";
export * from "./reseal.js";
export * from "./strangers.js";
export * from "./options.js";
export * from "./blockers.js";
export * from "./grants/index.js";
export * from "./clone-markers.js";
export * from "./replay-plan.js";
export * from "./evidence/index.js";
export * from "./leaks/index.js";
export {
  SEAL_FLAWS,
  forgedSealValues,
  forgedSealBreaks,
  describeForgedSeals,
  renderForgedSeals,
} from "./jws/request.js";
export type { ForgedSealValue, Forgery } from "./jws/request.js";
export type { SealFlaw } from "./jws/flaws.js";
export { SQL_ESCAPES } from "./sql/escapes/index.js";
export { PREEXISTING_SEQUENCE } from "./sql/escapes/sequence.js";
export { rollbackValues, rollbackBreaks, describeRollback, renderRollback } from "./sql/rollback.js";
export type { RollbackGrammar } from "./sql/rollback.js";
export { disguised, disguise, DISGUISES } from "./sql/disguise.js";
export { noOp } from "./sql/no-op.js";
export { sizeEdges, explainSize, padMigration, padRequest } from "./sql/sizes.js";
export type { SizeEdge } from "./sql/sizes.js";
export { ESCAPE_CLASSES } from "./sql/classes.js";
export { migrationOf } from "./sql/render.js";
export type { RollbackValue } from "./sql/rollback-value.js";
export type { Escape, EscapeClass, Stmt, Word } from "./sql/words.js";
