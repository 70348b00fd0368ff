import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p04 } from "../../../probes/p04-grant-replay.js";
import type { KeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import type { ProbeFamily } from "../../../src/fuzz/types.js";
import { makeFixtureKeyring } from "../../fixtures/broken-targets/keyring.js";
import { startFixtureTarget, type StartedFixture } from "../../fixtures/broken-targets/start.js";
import { NOW, keyringUnderTestOf, resultOf, runProof } from "./support.js";

/**
 * A gate that spends the grants of a request it refuses, reached over HTTP: no state snapshots
 * there, so only a later, honest spend of the same grants can show it. P04's refuse command is
 * that scenario, with the shipped family (no test-only family needed).
 */
let kut: KeyringUnderTest;
let started: StartedFixture | undefined;

beforeAll(async () => {
  const keyring = await makeFixtureKeyring();
  kut = await keyringUnderTestOf(keyring);
  started = await startFixtureTarget("changesStateOnRefusal", "http", { keyring, now: NOW });
});

afterAll(async () => {
  await started?.close();
});

describe("P04 against a gate that spends grants on refusal, over HTTP", () => {
  it("is caught: a later honest spend of the refused request's grants is denied as a replay", async () => {
    const target = started?.target;
    if (target === undefined) throw new Error("fixture not started");
    const report = await runProof(target, kut, [{ ...(p04 as ProbeFamily), minRuns: 30 }]);
    const result = resultOf(report, "P04");
    expect(result.status).toEqual({ kind: "finding" });
    // The refused request's honest re-spend is a scenario step, judged by the sequence oracle (F5).
    expect(result.findings[0]?.oracle).toBe("sequence");
    expect(result.findings[0]?.reason).toMatch(/^setup step \d+ of \d+ got DENY: replayed$/);
  });
});
