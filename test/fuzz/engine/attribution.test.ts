/**
 * Crash attribution (attribution.ts, family-run.ts): where probes share one target process, a
 * crash caused by one probe breaks its siblings in flight, and only firing each suspect's bytes
 * alone tells whose bytes did it. The finding is the one that reproduces; none reproducing is
 * flaky or inconclusive, never closed and never pinned on bytes that do not crash.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { attribute, type Recheck } from "../../../src/fuzz/engine/attribution.js";
import { familyContext } from "../../../src/fuzz/engine/family-context.js";
import { runFamily } from "../../../src/fuzz/engine/run-family.js";
import { loadSeedCorpus } from "../../../src/fuzz/engine/seed-corpus.js";
import { StateLock } from "../../../src/fuzz/engine/state-lock.js";
import { deriveKeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import type { FamilyContext, Oracle, Outcome, ProbeFamily, Target } from "../../../src/fuzz/types.js";

const NO_CHANNELS = { stdout: "", stderr: "", files: new Map<string, Uint8Array>(), rows: [] };

describe("attribute", () => {
  it("pins a crash on the first suspect that reproduces alone, firing one at a time, and never on one that does not", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Recheck["kind"]>("reproduced", "not_reproduced", "unjudged"), {
          minLength: 1,
          maxLength: 8,
        }),
        async (kinds) => {
          const suspects = kinds.map((kind, index) => ({ index, kind }));
          let inFlight = 0;
          let maxInFlight = 0;
          const fired: number[] = [];
          const result = await attribute(
            suspects as [(typeof suspects)[0], ...typeof suspects],
            async (s) => {
              inFlight++;
              maxInFlight = Math.max(maxInFlight, inFlight);
              fired.push(s.index);
              await Promise.resolve();
              inFlight--;
              switch (s.kind) {
                case "reproduced":
                  return { kind: "reproduced" };
                case "not_reproduced":
                  return { kind: "not_reproduced", passed: 2 };
                case "unjudged":
                  return { kind: "unjudged", why: `suspect ${s.index} could not be judged` };
              }
            },
          );
          expect(maxInFlight).toBe(1);
          const culprit = kinds.indexOf("reproduced");
          if (culprit >= 0) {
            expect(result).toEqual({ kind: "confirmed", suspect: suspects[culprit] });
            // In order, and nothing fired after the culprit was found.
            expect(fired).toEqual(suspects.slice(0, culprit + 1).map((s) => s.index));
          } else {
            // Unconfirmed: the first suspect stands, with what its own recheck said.
            expect(result.kind).toBe("unconfirmed");
            expect(result.suspect).toBe(suspects[0]);
            expect(result.kind === "unconfirmed" && result.recheck.kind).toBe(kinds[0]);
            expect(fired).toEqual(suspects.map((s) => s.index));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

/**
 * One process shared by every probe in flight: a poison probe (a number above 900) takes it down,
 * and every request in flight with it, siblings included, ends "crashed". Other probes answer
 * after a few milliseconds, so two sub-seeds in flight overlap.
 */
function sharedProcess(): Target {
  const inFlight = new Set<(outcome: Outcome) => void>();
  const crashed = (): Outcome => ({
    kind: "crashed",
    elapsedMs: 1,
    detail: "ECONNRESET",
    channels: NO_CHANNELS,
  });
  return {
    name: "shared",
    operations: ["decide", "rehearse"],
    fire: (_op, bytes) =>
      new Promise<Outcome>((resolve) => {
        const numbers = JSON.parse(Buffer.from(bytes).toString("utf8")) as number[];
        if (numbers.some((n) => n > 900)) {
          // The process goes down: its siblings' connections break with it.
          for (const sibling of [...inFlight]) sibling(crashed());
          inFlight.clear();
          setTimeout(() => resolve(crashed()), 1);
          return;
        }
        const answer = (outcome: Outcome): void => {
          if (!inFlight.delete(answer)) return;
          resolve(outcome);
        };
        inFlight.add(answer);
        setTimeout(
          () => answer({ kind: "responded", elapsedMs: 3, headers: {}, body: bytes, channels: NO_CHANNELS }),
          3,
        );
      }),
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

const crashOracle: Oracle = {
  name: "structured",
  rule: "F4",
  appliesTo: "all",
  judge: ({ outcome }) =>
    Promise.resolve(outcome.kind === "crashed" ? { kind: "fail", reason: "crashed" } : { kind: "pass" }),
};

interface Value {
  readonly numbers: readonly number[];
}

const family: ProbeFamily<Value> = {
  id: "T01",
  name: "synthetic",
  operation: "decide",
  role: "attack",
  rules: ["R0"],
  minRuns: 40,
  arbitrary: () =>
    fc.record({ numbers: fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 4 }) }),
  render: (value) => Promise.resolve(Buffer.from(JSON.stringify(value.numbers))),
  breaks: (value) => (value.numbers.some((n) => n > 10) ? "R0: a number above 10" : undefined),
  describe: (value) => `numbers ${value.numbers.join(",")}`,
};

let ctx: FamilyContext;

beforeAll(async () => {
  const kut = await deriveKeyringUnderTest("attribution-test");
  ctx = familyContext(kut, 1_781_265_600, "attribution-test", await loadSeedCorpus());
});

describe("a crash on a target shared by probes in flight", () => {
  it("is a confirmed finding on the bytes that crash it alone, whichever sub-seed saw it first", async () => {
    // Several seeds: which sibling's failure is recorded first depends on the interleaving.
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const result = await runFamily({
        family,
        ctx,
        fire: {
          target: sharedProcess(),
          oracles: [crashOracle],
          timeoutMs: 5_000,
          canaries: [],
          sealedBy: () => Promise.resolve(undefined),
          stateLock: new StateLock(),
        },
        seed,
        runs: 40,
        floor: 40,
        budgetMs: 60_000,
        concurrency: 4,
        signal: new AbortController().signal,
        emit: () => Promise.resolve(),
        versions: { failclosed: "test", node: process.version, fastCheck: "test" },
      });
      expect(result.status).toEqual({ kind: "finding" });
      const [finding] = result.findings;
      const numbers = JSON.parse(Buffer.from(finding?.bytesB64 ?? "", "base64").toString("utf8")) as number[];
      expect([seed, finding?.confirmation, numbers.some((n) => n > 900)]).toEqual([seed, "confirmed", true]);
    }
  }, 120_000);

  it("is flaky, never closed, when no suspect crashes it again alone", async () => {
    let crashes = 0;
    const once: Target = {
      ...sharedProcess(),
      fire: (_op, bytes) =>
        Promise.resolve(
          crashes++ === 0
            ? { kind: "crashed", elapsedMs: 1, detail: "ECONNRESET", channels: NO_CHANNELS }
            : { kind: "responded", elapsedMs: 1, headers: {}, body: bytes, channels: NO_CHANNELS },
        ),
    };
    const result = await runFamily({
      family,
      ctx,
      fire: {
        target: once,
        oracles: [crashOracle],
        timeoutMs: 5_000,
        canaries: [],
        sealedBy: () => Promise.resolve(undefined),
        stateLock: new StateLock(),
      },
      seed: 1,
      runs: 40,
      floor: 40,
      budgetMs: 60_000,
      concurrency: 2,
      signal: new AbortController().signal,
      emit: () => Promise.resolve(),
      versions: { failclosed: "test", node: process.version, fastCheck: "test" },
    });
    expect(result.status).toEqual({ kind: "finding" });
    expect(result.findings[0]?.confirmation).toBe("flaky");
  });

  it("is inconclusive, saying why, when a fresh target to confirm on cannot be opened", async () => {
    const result = await runFamily({
      family,
      ctx,
      fire: {
        target: sharedProcess(),
        oracles: [crashOracle],
        timeoutMs: 5_000,
        canaries: ["c4nary-0a1b2c3d4e5f"],
        sealedBy: () => Promise.resolve(undefined),
      },
      seed: 1,
      runs: 40,
      floor: 40,
      budgetMs: 60_000,
      concurrency: 1,
      signal: new AbortController().signal,
      emit: () => Promise.resolve(),
      versions: { failclosed: "test", node: process.version, fastCheck: "test" },
      freshTarget: () => Promise.reject(new Error("initdb: no space left on device")),
    });
    expect(result.status).toEqual({
      kind: "inconclusive",
      why: expect.stringContaining("could not be opened: Error: initdb: no space left on device") as string,
    });
    expect(result.findings).toEqual([]);
  });
});
