/**
 * What each broken fixture does wrong, asserted on the raw Outcome (judging it is the oracles'
 * job), over any transport, plus the probes that show it. Each probe is also fired at the correct
 * fixture (`correct`), so a misbehaviour is shown against what a good gate answers to those bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Outcome, StateSnapshot } from "../../../src/fuzz/types.js";
import {
  leakedHeaderValue,
  makeFixtureKeyring,
  type FixtureKeyring,
} from "../../fixtures/broken-targets/keyring.js";
import { LEAK_HEADER } from "../../fixtures/broken-targets/leaks-canary.js";
import { BROKEN_NAMES, type BrokenName, type Transport } from "../../fixtures/broken-targets/names.js";
import { startFixtureTarget, type StartedFixture } from "../../fixtures/broken-targets/start.js";
import { BASE_NOW, Docs, JWS_PATTERN, keysFromSets, uniqueId } from "../../support/gate-fixtures.js";
import { bodyJson, kindOf, responded, utf8 } from "./outcomes.js";

export const LIMIT_MS = 30_000;
/** `hangs` leaves every second request unanswered, so two probes show it. */
export const HANG_EVERY = 2;
const HANG_LIMIT_MS = 1_500;

export const DUPLICATE_MEMBER = utf8('{"kind":"action-request","kind":"action-request","v":1}');

export interface Probes {
  readonly docs: Docs;
  /** A correctly sealed request whose packet selects HOLD_PRODUCTION: HOLD on a good gate. */
  hold(): Promise<Uint8Array>;
  /** A HOLD request whose packet carries another JWS's signature: DENY seal_invalid on a good gate. */
  forged(): Promise<{ bytes: Uint8Array; requestId: string }>;
  /** A fully authorised REAL_RUN, and a twin with the same grants that asks for DRYRUN (refused). */
  authorisedWithDeniedTwin(): Promise<{ allowed: Uint8Array; denied: Uint8Array; nonces: readonly string[] }>;
}

export function probesFor(docs: Docs): Probes {
  return {
    docs,
    async hold() {
      return (await docs.build(docs.holdScenario("REAL_RUN"))).bytes;
    },
    async forged() {
      const scenario = docs.holdScenario("REAL_RUN");
      scenario.post = (sealed) => {
        const [header, payload] = sealed.packet.split(".");
        const signature = sealed.grants[0]?.split(".")[2];
        sealed.packet = `${header}.${payload}.${signature}`;
      };
      const built = await docs.build(scenario);
      return { bytes: built.bytes, requestId: built.requestId };
    },
    async authorisedWithDeniedTwin() {
      const built = await docs.authorized("REAL_RUN");
      const denied = docs.requestBytes(built.sealed, "DRYRUN", uniqueId("req"));
      return { allowed: built.bytes, denied, nonces: built.nonces };
    },
  };
}

export interface Fixture {
  readonly started: StartedFixture;
  readonly keyring: FixtureKeyring;
  readonly probes: Probes;
}

async function consumed(fixture: Fixture): Promise<number | undefined> {
  const { target, service } = fixture.started;
  if (target.state !== undefined) return (await target.state("decide")).consumedNonces;
  // Over HTTP the service is in this process: its ledger is the ground truth.
  return service === undefined ? undefined : service.ledger.consumedCount();
}

function verdictOf(outcome: Outcome): Record<string, unknown> {
  return bodyJson(outcome);
}

/** The misbehaviour of each broken fixture, as seen through `transport`. */
export const MISBEHAVIOURS: Readonly<
  Record<BrokenName, (fixture: Fixture, transport: Transport) => Promise<void>>
> = {
  async allowsForged({ started, probes }, transport) {
    const forged = await probes.forged();
    const outcome = responded(await started.target.fire("decide", forged.bytes, LIMIT_MS));
    const verdict = verdictOf(outcome);
    expect(verdict).toMatchObject({
      kind: "verdict",
      v: 1,
      verdict: "ALLOW",
      reasons: [],
      request_id: forged.requestId,
    });
    expect(String(verdict["permit"])).toMatch(JWS_PATTERN);
    if (transport === "http") expect(outcome.status).toBe(200);
    // Only forgeries are broken: an honest HOLD is still a HOLD.
    expect(verdictOf(await started.target.fire("decide", await probes.hold(), LIMIT_MS))).toMatchObject({
      verdict: "HOLD",
    });
  },

  async leaksCanaryInHeader({ started, probes, keyring }, transport) {
    const secret = leakedHeaderValue(keyring.sources);
    const outcome = responded(await started.target.fire("decide", await probes.hold(), LIMIT_MS));
    expect(verdictOf(outcome)).toMatchObject({ verdict: "HOLD" });
    if (transport === "child") expect(outcome.channels.stderr).toContain(`${LEAK_HEADER}: ${secret}\n`);
    else expect(outcome.headers[LEAK_HEADER]).toBe(secret);
  },

  async changesStateOnRefusal(fixture) {
    const { started, probes } = fixture;
    const before = await consumed(fixture);
    const { allowed, denied } = await probes.authorisedWithDeniedTwin();
    expect(verdictOf(await started.target.fire("decide", denied, LIMIT_MS))).toMatchObject({
      verdict: "DENY",
    });
    const after = await consumed(fixture);
    if (before !== undefined) expect(after).toBeGreaterThan(before);
    // Visible over every transport: the refusal spent the grants, so the honest request is a replay.
    expect(verdictOf(await started.target.fire("decide", allowed, LIMIT_MS))).toMatchObject({
      verdict: "DENY",
      reasons: ["replayed"],
    });
  },

  async answers500({ started, probes }, transport) {
    const outcome = await started.target.fire("decide", DUPLICATE_MEMBER, LIMIT_MS);
    switch (transport) {
      case "in-process":
        expect(kindOf(outcome, "crashed").detail).toContain("duplicate member");
        break;
      case "http": {
        const answer = responded(outcome);
        expect(answer.status).toBe(500);
        expect(Buffer.from(answer.body).toString("utf8")).toBe('{"error":"internal_error"}');
        break;
      }
      case "child": {
        const crashed = kindOf(outcome, "crashed");
        expect(crashed.detail).toContain("exit code 1");
        // A bare stack trace on stderr: F4's other finding.
        expect(crashed.channels.stderr).toContain("Error: duplicate member in the request");
        expect(crashed.channels.stderr).toMatch(/\n\s+at /);
        break;
      }
    }
    // The next probe is answered: a fresh child, or the same service.
    expect(verdictOf(await started.target.fire("decide", await probes.hold(), LIMIT_MS))).toMatchObject({
      verdict: "HOLD",
    });
  },

  async hangs({ started, probes }) {
    expect(verdictOf(await started.target.fire("decide", await probes.hold(), LIMIT_MS))).toMatchObject({
      verdict: "HOLD",
    });
    const hung = kindOf(await started.target.fire("decide", await probes.hold(), HANG_LIMIT_MS), "timed_out");
    expect(hung.elapsedMs).toBeGreaterThanOrEqual(HANG_LIMIT_MS - 10);
    // In process and as a child the hung instance was replaced; over HTTP this is request 3.
    expect(verdictOf(await started.target.fire("decide", await probes.hold(), LIMIT_MS))).toMatchObject({
      verdict: "HOLD",
    });
  },

  async deniesEverything(fixture) {
    const { started, probes } = fixture;
    const { allowed } = await probes.authorisedWithDeniedTwin();
    expect(verdictOf(await started.target.fire("decide", allowed, LIMIT_MS))).toMatchObject({
      verdict: "DENY",
      reasons: ["internal_error"],
    });
    expect(verdictOf(await started.target.fire("decide", await probes.hold(), LIMIT_MS))).toMatchObject({
      verdict: "DENY",
    });
    // It breaks F5 only: refusing consumed nothing (where the ledger can be seen: not in a child).
    const spent = await consumed(fixture);
    if (spent !== undefined) expect(spent).toBe(0);
  },
};

/** One describe per broken fixture over `transport`, each starting (and closing) its own target. */
export function describeBrokenTargets(transport: Transport): void {
  let keyring: FixtureKeyring;
  let probes: Probes;

  beforeAll(async () => {
    keyring = await makeFixtureKeyring();
    probes = probesFor(new Docs(await keysFromSets(keyring.sets, true), BASE_NOW));
  });

  describe.each(BROKEN_NAMES)(`%s over ${transport}`, (name) => {
    let started: StartedFixture | undefined;

    beforeAll(async () => {
      started = await startFixtureTarget(name, transport, { keyring, now: BASE_NOW, hangEvery: HANG_EVERY });
    });

    afterAll(async () => {
      await started?.close();
    });

    it("misbehaves as designed", async () => {
      if (started === undefined) throw new Error("the fixture did not start");
      await MISBEHAVIOURS[name]({ started, keyring, probes }, transport);
    });
  });
}

/** The same probes at the correct gate: what each misbehaviour is a departure from. */
export function describeCorrectBaseline(transport: Transport): void {
  describe(`the correct fixture over ${transport}`, () => {
    let started: StartedFixture | undefined;
    let probes: Probes;
    let before: StateSnapshot | undefined;

    beforeAll(async () => {
      const keyring = await makeFixtureKeyring();
      probes = probesFor(new Docs(await keysFromSets(keyring.sets, true), BASE_NOW));
      started = await startFixtureTarget("correct", transport, { keyring, now: BASE_NOW });
      before = await started.target.state?.("decide");
    });

    afterAll(async () => {
      await started?.close();
    });

    it("refuses the forgery, the duplicate member and the refused twin, and allows the honest request", async () => {
      if (started === undefined) throw new Error("the fixture did not start");
      const { target } = started;
      expect(verdictOf(await target.fire("decide", (await probes.forged()).bytes, LIMIT_MS))).toMatchObject({
        verdict: "DENY",
        reasons: ["seal_invalid"],
      });
      expect(verdictOf(await target.fire("decide", DUPLICATE_MEMBER, LIMIT_MS))).toMatchObject({
        verdict: "DENY",
        reasons: ["malformed_input"],
      });
      const { allowed, denied } = await probes.authorisedWithDeniedTwin();
      const refused = responded(await target.fire("decide", denied, LIMIT_MS));
      expect(verdictOf(refused)).toMatchObject({ verdict: "DENY" });
      expect(refused.headers[LEAK_HEADER]).toBeUndefined();
      if (before !== undefined)
        expect((await target.state?.("decide"))?.consumedNonces).toBe(before.consumedNonces);
      expect(verdictOf(await target.fire("decide", allowed, LIMIT_MS))).toMatchObject({ verdict: "ALLOW" });
      for (let i = 0; i < HANG_EVERY + 1; i += 1) {
        expect(verdictOf(await target.fire("decide", await probes.hold(), LIMIT_MS))).toMatchObject({
          verdict: "HOLD",
        });
      }
    });
  });
}
