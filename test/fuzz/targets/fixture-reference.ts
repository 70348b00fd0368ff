/**
 * The reference target on the fixture keyring, for the target tests that fire documents at it:
 * a fresh working directory, the documents' signer over the same keys, and one close for both.
 */
import { openReferenceTarget, type ReferenceTargetOptions } from "../../../src/fuzz/targets/reference.js";
import type { Target } from "../../../src/fuzz/types.js";
import { makeFixtureKeyring } from "../../fixtures/broken-targets/keyring.js";
import { BASE_NOW, Docs, fixedClock, keysFromSets } from "../../support/gate-fixtures.js";
import { tempDir } from "../../support/keyrings.js";

export interface FixtureReference {
  readonly target: Target;
  readonly docs: Docs;
  close(): Promise<void>;
}

export async function openFixtureReference(
  prefix: string,
  options: Pick<ReferenceTargetOptions, "transports"> = {},
): Promise<FixtureReference> {
  const keyring = await makeFixtureKeyring();
  const docs = new Docs(await keysFromSets(keyring.sets, true), BASE_NOW);
  const work = await tempDir(prefix);
  try {
    const target = await openReferenceTarget({
      keyringSources: keyring.sources,
      clock: fixedClock(BASE_NOW),
      workDir: work.dir,
      testMode: true,
      ...options,
    });
    return {
      target,
      docs,
      close: async () => {
        await target.close();
        await work.remove();
      },
    };
  } catch (error) {
    await work.remove();
    throw error;
  }
}
