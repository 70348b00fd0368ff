export {
  ORACLES,
  oracleByName,
  selectOracles,
  createOracleRegistry,
  OracleRegistryError,
  type OracleRegistry,
  type OracleRegistryErrorCode,
} from "./registry.js";
export { judgeAll, appliesTo, type OracleJudgement } from "./judge.js";
export { verdictOracle } from "./verdict.js";
export { leakOracle } from "./leak.js";
export { stateOracle } from "./state.js";
export { structuredOracle } from "./structured.js";
export { controlOracle } from "./control.js";
export { findJwsTokens, type JwsToken } from "./tokens.js";
