/**
 * A grant check that reads the grants by position: with two grants, the first is taken to be the
 * REAL_RUN grant, because every client the team wrote sends them in that order. The shipped checks
 * run first, so nothing unauthorised gets through; but the same two grants listed the other way
 * round are refused (G3 names the grants by their action, not by their place). The metamorphic
 * oracle's reordering relation finds it from P09's probes, which pass the grant check and are
 * refused later, for their evidence: reversed, they are refused for a grant instead.
 */
import { SHIPPED_GATE_COMPONENTS } from "../../../lane/index.js";
import type { CheckGrants } from "../../../lane/index.js";

export const grantsReadByPosition: CheckGrants = (request, packet, grants, clock) => {
  const shipped = SHIPPED_GATE_COMPONENTS.checkGrants(request, packet, grants, clock);
  if (shipped !== undefined) return shipped;
  // The flaw: a place in the list stands for an action.
  return grants.length === 2 && grants[0]?.action !== "REAL_RUN" ? ["grant_missing"] : undefined;
};
