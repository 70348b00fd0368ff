/** F3's oracle: a refused probe changes no nonce, no clone and never the production sentinel. */
import { describe, expect, it } from "vitest";
import { stateOracle } from "../../../src/fuzz/oracles/index.js";
import type { StateSnapshot } from "../../../src/fuzz/types.js";
import { DIGEST_AFTER, DIGEST_BEFORE } from "../../support/documents.js";
import { DENY_BODY, input, probe, responded } from "./support.js";

const SNAPSHOT: StateSnapshot = {
  consumedNonces: 4,
  cloneDigest: DIGEST_BEFORE,
  sentinelDigest: DIGEST_BEFORE,
};
const judge = (state: { before?: StateSnapshot; after?: StateSnapshot }) =>
  stateOracle.judge(input(undefined, probe("attack"), responded(DENY_BODY), state));

describe("state oracle (F3)", () => {
  it("judges attacks only", () => {
    expect(stateOracle).toMatchObject({ name: "state", rule: "F3", appliesTo: "attack" });
  });

  it("stays quiet when nothing changed", async () => {
    expect(await judge({ before: SNAPSHOT, after: { ...SNAPSHOT } })).toEqual({ kind: "pass" });
    expect(await judge({ before: { consumedNonces: 0 }, after: { consumedNonces: 0 } })).toEqual({
      kind: "pass",
    });
  });

  it("fires on a consumed nonce, a changed clone and a changed sentinel", async () => {
    expect(await judge({ before: SNAPSHOT, after: { ...SNAPSHOT, consumedNonces: 5 } })).toEqual({
      kind: "fail",
      reason: "consumed nonces changed from 4 to 5",
    });
    expect(
      await judge({ before: SNAPSHOT, after: { ...SNAPSHOT, cloneDigest: DIGEST_AFTER } }),
    ).toMatchObject({
      kind: "fail",
      reason: expect.stringMatching(/^clone digest changed/) as unknown,
    });
    expect(
      await judge({ before: SNAPSHOT, after: { ...SNAPSHOT, sentinelDigest: DIGEST_AFTER } }),
    ).toMatchObject({
      kind: "fail",
      reason: expect.stringMatching(/^production sentinel digest changed/) as unknown,
    });
  });

  it("passes a target that reports no state, and errs when the state after cannot be read", async () => {
    expect(await judge({})).toEqual({ kind: "pass" });
    expect(await judge({ after: SNAPSHOT })).toEqual({ kind: "pass" });
    expect((await judge({ before: SNAPSHOT })).kind).toBe("error");
    expect(
      (await judge({ before: SNAPSHOT, after: { consumedNonces: 4, sentinelDigest: DIGEST_BEFORE } })).kind,
    ).toBe("error");
  });
});
