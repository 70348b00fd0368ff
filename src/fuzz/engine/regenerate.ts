import fc from "fast-check";
import { FailclosedError } from "../../kernel/errors.js";
import type { FamilyContext, Finding, ProbeFamily } from "../types.js";

/**
 * Rebuilds a finding's bytes from its seed and fast-check path: the same family on the same
 * versions gives the same value, hence the same bytes (the keyring and clock come from the
 * finding's salt and now, as in the run).
 */
export async function regenerateBytes(
  family: ProbeFamily,
  finding: Finding,
  ctx: FamilyContext,
): Promise<Uint8Array> {
  if (finding.path === undefined) {
    throw new FailclosedError(
      "DOCUMENT_INVALID",
      `finding ${finding.id} has no fast-check path to regenerate from`,
    );
  }
  let value: unknown;
  const details = await fc.check(
    fc.asyncProperty(family.arbitrary(ctx), (v) => {
      value = v;
      return Promise.resolve(false);
    }),
    { seed: finding.seed, path: finding.path, numRuns: 1, endOnFailure: true },
  );
  if (!details.failed || value === undefined) {
    throw new FailclosedError("INTERNAL", `fast-check did not reproduce the value at path ${finding.path}`);
  }
  return family.render(value, ctx);
}
