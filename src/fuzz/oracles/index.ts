export {
  ORACLES,
  oracleByName,
  selectOracles,
  createOracleRegistry,
  OracleRegistryError,
  type OracleRegistry,
  type OracleRegistryErrorCode,
} from "./registry.js";
export { judgeAll, appliesTo, oracleInput } from "./judge.js";
export { answerOf } from "./answer.js";
export { verdictOracle } from "./verdict.js";
export { leakOracle } from "./leak.js";
export { echoOracle } from "./echo.js";
export { stateOracle } from "./state.js";
export { structuredOracle } from "./structured.js";
export { controlOracle } from "./control.js";
export { raceOracle } from "./race.js";
export { sequenceOracle } from "./sequence.js";
export { differentialOracle } from "./differential.js";
export {
  METAMORPHIC_ORACLE,
  metamorphicOracle,
  DEFAULT_VARIANTS_PER_PROBE,
  type MetamorphicOptions,
} from "./metamorphic.js";
export { findJwsTokens, type JwsToken } from "./tokens.js";
