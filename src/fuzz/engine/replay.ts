import type { KeyringUnderTest } from "../keyring/under-test.js";
import { deriveKeyringUnderTest } from "../keyring/under-test.js";
import type { Judgement } from "./fire.js";
import { fireProbe } from "./fire-probe.js";
import { sealedByKeyring } from "./sealed-by.js";
import { decodeSteps } from "./scenario.js";
import type { Finding, Oracle, Target } from "../types.js";

export interface ReplaySetup {
  readonly openTarget: (kut: KeyringUnderTest, now: number) => Promise<Target>;
  readonly oracles: readonly Oracle[];
  readonly canariesOf: (kut: KeyringUnderTest) => readonly string[];
  readonly timeoutMs: number;
  /** Default: derived from the finding's salt, as the run that found it did. */
  readonly keyringUnderTest?: (salt: string) => Promise<KeyringUnderTest>;
}

/**
 * Fires a finding's exact bytes again under the conditions it was found in: the keyring derived
 * from its salt and its clock. "fail" means it still fails; "pass" means it is fixed.
 */
export async function replayFinding(finding: Finding, setup: ReplaySetup): Promise<Judgement> {
  const kut = await (setup.keyringUnderTest ?? deriveKeyringUnderTest)(finding.salt);
  const target = await setup.openTarget(kut, finding.now);
  const fire = {
    target,
    oracles: setup.oracles,
    timeoutMs: setup.timeoutMs,
    canaries: setup.canariesOf(kut),
    sealedBy: sealedByKeyring(kut.keyring),
    // The metamorphic oracle derives the same variants again: a replay fires source and variant.
    metamorphic: { keyring: kut.keyring, now: finding.now, salt: finding.salt },
  };
  const probe = {
    family: finding.family,
    operation: finding.operation,
    role: finding.role,
    bytes: Buffer.from(finding.bytesB64, "base64"),
    seed: finding.seed,
    ...(finding.path === undefined ? {} : { path: finding.path }),
    description: finding.description,
    rule: finding.rule,
  };
  try {
    return await fireProbe(
      probe,
      {
        ...(finding.steps === undefined ? {} : { steps: decodeSteps(finding.steps) }),
        ...(finding.cloneSetup === undefined ? {} : { cloneSetup: finding.cloneSetup }),
        ...(finding.fault === undefined ? {} : { fault: finding.fault }),
      },
      fire,
    );
  } finally {
    await target.close().catch(() => undefined);
  }
}
