/**
 * A metamorphic variant goes to the probe's own target as a request that is never copied to the
 * other transports: only its verdict is read, so copies would be requests no oracle judges.
 */
import { expect, it } from "vitest";
import { fireOnce, type FireContext } from "../../../src/fuzz/engine/fire.js";
import type { Keyring } from "../../../src/lane/index.js";
import type { FireRequest, Oracle, Outcome, Target } from "../../../src/fuzz/types.js";
import { channels, DENY_BODY, probe, utf8 } from "../oracles/support.js";

it("fires a probe with copies and its variants without", async () => {
  const requests: Array<FireRequest | undefined> = [];
  const target: Target = {
    name: "recording",
    operations: ["decide"],
    fire(_operation, _bytes, _timeoutMs, request): Promise<Outcome> {
      requests.push(request);
      return Promise.resolve({
        kind: "responded",
        elapsedMs: 1,
        headers: {},
        body: utf8(DENY_BODY),
        channels: channels(),
      });
    },
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  // An oracle that fires one variant, as the metamorphic oracle does.
  const oneVariant: Oracle = {
    name: "one-variant",
    rule: "F1",
    appliesTo: "all",
    async judge(input) {
      await input.variants?.fire(utf8("variant"));
      return { kind: "pass" };
    },
  };
  const ctx: FireContext = {
    target,
    oracles: [oneVariant],
    timeoutMs: 1_000,
    canaries: [],
    sealedBy: () => Promise.resolve(undefined),
    metamorphic: { keyring: {} as Keyring, now: 0, salt: "salt" },
  };
  expect(await fireOnce(probe("attack"), "attack", ctx)).toEqual({ kind: "pass" });
  expect(requests).toEqual([undefined, { copies: false }]);
});
