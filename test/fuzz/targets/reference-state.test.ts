/**
 * F3 end to end on the reference target, whose snapshots are read once per change and whose
 * consumed count is queried only after the ledger's table announced a change: a probe that spends
 * a grant is still caught by the state oracle, and refused probes stay quiet.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fireAndJudge, type FireContext } from "../../../src/fuzz/engine/fire.js";
import { stateOracle } from "../../../src/fuzz/oracles/index.js";
import type { Target } from "../../../src/fuzz/types.js";
import type { Docs } from "../../support/gate-fixtures.js";
import { openFixtureReference, type FixtureReference } from "./fixture-reference.js";
import { probe } from "../oracles/support.js";

let fixture: FixtureReference | undefined;
let target: Target;
let docs: Docs;

beforeAll(async () => {
  fixture = await openFixtureReference("failclosed-reference-state-");
  ({ target, docs } = fixture);
});

afterAll(async () => {
  await fixture?.close();
});

/** Fires bytes as an attack, judged by F3 alone. */
function judgeAttack(bytes: Uint8Array) {
  const ctx: FireContext = {
    target,
    oracles: [stateOracle],
    timeoutMs: 30_000,
    canaries: [],
    sealedBy: () => Promise.resolve(undefined),
  };
  return fireAndJudge({ ...probe("attack"), bytes }, ctx);
}

describe("F3 on the reference target", () => {
  it("stays quiet on refusals, fires on every spend, and again after a restart", async () => {
    const hold = await docs.build(docs.holdScenario("REAL_RUN"));
    expect(await judgeAttack(hold.bytes)).toEqual({ kind: "pass" });

    const spend = await docs.authorized("REAL_RUN");
    const caught = await judgeAttack(spend.bytes);
    expect(caught).toMatchObject({ kind: "fail", reason: "consumed nonces changed from 0 to 1" });
    // The same grant again is refused as a replay and spends nothing.
    expect(await judgeAttack(spend.bytes)).toEqual({ kind: "pass" });
    const second = await docs.authorized("REAL_RUN");
    expect(await judgeAttack(second.bytes)).toMatchObject({
      kind: "fail",
      reason: "consumed nonces changed from 1 to 2",
    });

    // A restart forgets the ledger (documented); the first spend after it is still seen.
    await target.restart();
    const third = await docs.authorized("REAL_RUN");
    expect(await judgeAttack(third.bytes)).toMatchObject({
      kind: "fail",
      reason: "consumed nonces changed from 0 to 1",
    });
  });
});
