/**
 * SPEC section 9's oracles in one registry (as Schemathesis's checks): looked up by name through a
 * Map, so "__proto__" or "toString" is an unknown name like any other; an unknown or duplicate
 * name is an error that lists the valid ones.
 */
import type { Oracle } from "../types.js";
import { controlOracle } from "./control.js";
import { differentialOracle } from "./differential.js";
import { echoOracle } from "./echo.js";
import { leakOracle } from "./leak.js";
import { METAMORPHIC_ORACLE } from "./metamorphic.js";
import { raceOracle } from "./race.js";
import { sequenceOracle } from "./sequence.js";
import { stateOracle } from "./state.js";
import { structuredOracle } from "./structured.js";
import { verdictOracle } from "./verdict.js";

export type OracleRegistryErrorCode = "ORACLE_UNKNOWN" | "ORACLE_DUPLICATE";

export class OracleRegistryError extends Error {
  override readonly name = "OracleRegistryError";
  constructor(
    readonly code: OracleRegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface OracleRegistry {
  readonly names: readonly string[];
  readonly all: readonly Oracle[];
  /** Throws ORACLE_UNKNOWN, listing the valid names. */
  get(name: string): Oracle;
  /** The named oracles in the order given; throws on an unknown name or a name given twice. */
  select(names: readonly string[]): Oracle[];
}

function validNames(names: readonly string[]): string {
  return `valid oracles: ${names.join(", ")}`;
}

function duplicates(names: readonly string[]): string[] {
  return [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
}

export function createOracleRegistry(oracles: readonly Oracle[]): OracleRegistry {
  const names = oracles.map((oracle) => oracle.name);
  const twice = duplicates(names);
  if (twice.length > 0)
    throw new OracleRegistryError(
      "ORACLE_DUPLICATE",
      `oracle ${twice.join(", ")} registered twice; ${validNames([...new Set(names)])}`,
    );
  const byName = new Map(oracles.map((oracle) => [oracle.name, oracle] as const));
  const get = (name: string): Oracle => {
    const oracle = byName.get(name);
    if (oracle === undefined)
      throw new OracleRegistryError(
        "ORACLE_UNKNOWN",
        `unknown oracle ${JSON.stringify(name)}; ${validNames(names)}`,
      );
    return oracle;
  };
  return {
    names,
    all: oracles,
    get,
    select(selected) {
      const twiceSelected = duplicates(selected);
      if (twiceSelected.length > 0)
        throw new OracleRegistryError(
          "ORACLE_DUPLICATE",
          `oracle ${twiceSelected.join(", ")} named twice; ${validNames(names)}`,
        );
      return selected.map(get);
    },
  };
}

/**
 * F1-F5, in rule order: when several fail on one probe, the first names the finding. The echo
 * oracle (G7) is F2's and comes before structured (F4): a refusal that quotes its input in a member
 * the schema does not allow is an echo first, which says more than "not a strict document". The
 * differential oracle (T1-T3) judges the copies on other transports after everything has judged
 * the first answer, which names a failure of its own.
 * The metamorphic oracle (issue #15) is F1's, judged on a probe's variants rather than the probe.
 */
export const ORACLES: readonly Oracle[] = Object.freeze([
  verdictOracle,
  raceOracle,
  leakOracle,
  echoOracle,
  stateOracle,
  structuredOracle,
  differentialOracle,
  controlOracle,
  sequenceOracle,
  // Last: it fires variants of the probe, and any other oracle's failure names the finding first.
  METAMORPHIC_ORACLE,
]);

const DEFAULT_REGISTRY = createOracleRegistry(ORACLES);

export function oracleByName(name: string): Oracle {
  return DEFAULT_REGISTRY.get(name);
}

export function selectOracles(names: readonly string[]): Oracle[] {
  return DEFAULT_REGISTRY.select(names);
}
