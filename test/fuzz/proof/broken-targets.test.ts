/**
 * The engine's "done means" proof: every deliberately broken gate is caught by the oracle for the
 * rule it breaks, over every transport (T1 in process, T2 HTTP, T3 child), by runFuzz with the
 * real oracles, canaries from the fixture's keyring and a keyring under test made of the same keys;
 * and the correct gate, fired at with the very same families, raises nothing and passes the
 * release gate at this scale.
 *
 * One fixture instance per transport and fixture, shared by everything in its describe (a child
 * takes about 5 s to start). Each expectation names the exact oracle, and the reason where it
 * differs by transport, since that is what tells one oracle's finding from another's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import { evaluateGate } from "../../../src/fuzz/report/index.js";
import type { Report } from "../../../src/fuzz/report-types.js";
import type { ProbeFamily } from "../../../src/fuzz/types.js";
import { makeFixtureKeyring, type FixtureKeyring } from "../../fixtures/broken-targets/keyring.js";
import { TRANSPORTS, type FixtureName, type Transport } from "../../fixtures/broken-targets/names.js";
import { startFixtureTarget, type StartedFixture } from "../../fixtures/broken-targets/start.js";
import {
  C01,
  NOW,
  P02,
  keyringUnderTestOf,
  p01DuplicateMembers,
  refusalThenUse,
  resultOf,
  runProof,
  unshrinkable,
} from "./support.js";

/** `hangs` leaves every second request unanswered: the second probe of each instance hangs. */
const HANG_EVERY = 2;
/** Small, so a hang costs a second; a healthy answer from the fixture takes milliseconds. */
const HANG_TIMEOUT_MS = 1_000;

/** What one family must come to: closed, or a finding by exactly this oracle. */
type Expected =
  | { readonly family: string; readonly closed: true }
  | { readonly family: string; readonly oracle: string; readonly reason: RegExp };

interface Case {
  readonly name: FixtureName;
  /** runFuzz interleaves them itself; the state lock keeps controls out of attacks' snapshots. */
  readonly families: (transport: Transport) => readonly ProbeFamily[];
  readonly expected: (transport: Transport) => readonly Expected[];
  readonly timeoutMs?: number;
}

const closed = (family: string): Expected => ({ family, closed: true });

const CASES: readonly Case[] = [
  {
    // F1: a forged seal is answered with a fabricated ALLOW.
    name: "allowsForged",
    families: () => [C01, P02],
    expected: () => [
      closed("C01"),
      { family: "P02", oracle: "verdict", reason: /^verdict ALLOW for an attack$/ },
    ],
  },
  {
    // F2: base64 of the gate's private key in a header, or on stderr where a child has no headers.
    name: "leaksCanaryInHeader",
    families: () => [C01, P02],
    expected: (transport) => {
      const where = transport === "child" ? "stderr" : "header x-debug";
      const reason = new RegExp(`^canary #\\d+ \\(base64\\) in ${where}$`);
      return [
        { family: "C01", oracle: "leak", reason },
        { family: "P02", oracle: "leak", reason },
      ];
    },
  },
  {
    // F3: every refusal spends grants. In process the state oracle sees the ledger move; over HTTP
    // and as a child there is no state() (F3 checks nothing there), so X03's honest request after
    // the refused twin is what shows it: its setup step, denied `replayed` (the sequence oracle).
    name: "changesStateOnRefusal",
    families: (transport) =>
      transport === "in-process" ? [C01, refusalThenUse, P02] : [C01, refusalThenUse],
    expected: (transport) =>
      transport === "in-process"
        ? [
            closed("C01"),
            { family: "X03", oracle: "state", reason: /^consumed nonces changed from \d+ to \d+$/ },
            { family: "P02", oracle: "state", reason: /^consumed nonces changed from \d+ to \d+$/ },
          ]
        : [
            closed("C01"),
            { family: "X03", oracle: "sequence", reason: /^setup step 2 of 2 got DENY: replayed$/ },
          ],
  },
  {
    // F4: a duplicate member makes it throw: a rejected call, an HTTP 500, a dead child.
    name: "answers500",
    families: () => [C01, p01DuplicateMembers],
    expected: (transport) => [
      closed("C01"),
      {
        family: "P01",
        oracle: "structured",
        reason:
          transport === "http"
            ? /^HTTP 500$/
            : transport === "in-process"
              ? /^crashed \(Error: duplicate member in the request: cannot decide\)$/
              : /^crashed \(the child ended \(exit code 1\)\)$/,
      },
    ],
  },
  {
    // F4: every second request is never answered. No control here: its own second probe would
    // hang too, and each hang of a child costs a restart.
    name: "hangs",
    families: () => [unshrinkable(P02)],
    expected: () => [{ family: "P02", oracle: "structured", reason: /^hang: no answer within \d+ ms$/ }],
    timeoutMs: HANG_TIMEOUT_MS,
  },
  {
    // F5: nothing is ever allowed. Attacks cannot tell it from a good gate; only the control can.
    name: "deniesEverything",
    families: () => [C01, P02],
    expected: () => [
      { family: "C01", oracle: "control", reason: /^control got DENY: internal_error$/ },
      closed("P02"),
    ],
  },
];

/** The correct gate gets every family fired at any broken one above. */
const BASELINE_FAMILIES: readonly ProbeFamily[] = [C01, refusalThenUse, p01DuplicateMembers, P02];

let fixtureKeyring: FixtureKeyring;
let kut: KeyringUnderTest;

beforeAll(async () => {
  fixtureKeyring = await makeFixtureKeyring();
  kut = await keyringUnderTestOf(fixtureKeyring);
});

function expectAsExpected(report: Report, expected: readonly Expected[]): void {
  expect(report.families.map((r) => r.family).sort()).toEqual(expected.map((e) => e.family).sort());
  for (const e of expected) {
    const result = resultOf(report, e.family);
    if ("closed" in e) {
      expect({ family: e.family, status: result.status, findings: result.findings }).toEqual({
        family: e.family,
        status: { kind: "closed" },
        findings: [],
      });
      continue;
    }
    expect({ family: e.family, status: result.status }).toEqual({
      family: e.family,
      status: { kind: "finding" },
    });
    expect(result.findings).toHaveLength(1);
    const finding = result.findings[0];
    expect({ family: finding?.family, oracle: finding?.oracle }).toEqual({
      family: e.family,
      oracle: e.oracle,
    });
    expect(finding?.reason).toMatch(e.reason);
    // Fired again, its bytes failed the same oracle: a finding, not noise.
    expect(finding?.confirmation).toBe("confirmed");
  }
}

describe.each(TRANSPORTS)("over %s", (transport) => {
  describe.each(CASES)("the broken fixture $name", (c) => {
    let started: StartedFixture | undefined;

    beforeAll(async () => {
      started = await startFixtureTarget(c.name, transport, {
        keyring: fixtureKeyring,
        now: NOW,
        ...(c.name === "hangs" ? { hangEvery: HANG_EVERY } : {}),
      });
    });

    afterAll(async () => {
      await started?.close();
    });

    it("is caught by the oracle for the rule it breaks, and fails the release gate", async () => {
      if (started === undefined) throw new Error("the fixture did not start");
      const report = await runProof(started.target, kut, c.families(transport), {
        ...(c.timeoutMs === undefined ? {} : { timeoutMs: c.timeoutMs }),
      });
      const expected = c.expected(transport);
      expectAsExpected(report, expected);
      expect(report.interrupted).toBe(false);

      const attacks = report.families.filter((r) => r.role === "attack").map((r) => r.family);
      const controls = report.families.filter((r) => r.role === "control").map((r) => r.family);
      const gate = evaluateGate([report], { families: attacks, controls });
      expect(gate.kind).toBe("fail");
      // Exactly one problem per finding: a finding in an attack, a control that did not hold.
      const problems =
        gate.kind === "fail" ? gate.problems.map((p) => ({ kind: p.kind, family: p.family })) : [];
      expect(problems).toEqual(
        expected.flatMap((e) =>
          "closed" in e
            ? []
            : [{ kind: controls.includes(e.family) ? "control" : "finding", family: e.family }],
        ),
      );
    });
  });

  describe("the correct fixture", () => {
    let started: StartedFixture | undefined;

    beforeAll(async () => {
      started = await startFixtureTarget("correct", transport, { keyring: fixtureKeyring, now: NOW });
    });

    afterAll(async () => {
      await started?.close();
    });

    it("raises nothing with the same families, and passes the release gate at this scale", async () => {
      if (started === undefined) throw new Error("the fixture did not start");
      const report = await runProof(started.target, kut, BASELINE_FAMILIES);
      expectAsExpected(
        report,
        BASELINE_FAMILIES.map((f) => closed(f.id)),
      );
      expect(report.totals.findings).toBe(0);
      const gate = evaluateGate([report], { families: ["P01", "P02", "X03"], controls: ["C01"] });
      expect(gate).toMatchObject({ kind: "pass", passRate: "3/3" });
    });
  });
});
