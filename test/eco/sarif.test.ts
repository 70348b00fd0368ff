import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { family as p05 } from "../../probes/p05-option-escalation.js";
import { family as p06 } from "../../probes/p06-blocker-bypass.js";
import { FINGERPRINT_KEY, findingFingerprint, renderSarif } from "../../src/fuzz/report/index.js";
import { ORACLES } from "../../src/fuzz/oracles/index.js";
import { outcomeClass } from "../../src/fuzz/report/sarif-fingerprint.js";
import type { Finding } from "../../src/fuzz/types.js";
import { lexicalOptionLadder } from "../../src/fuzz/calibrate/flaws/p05-lexical-option-ladder.js";
import { blockerStatusSubstring } from "../../src/fuzz/calibrate/flaws/p06-blocker-status-substring.js";
import { family, finding, report, withFamily } from "../fuzz/report/fixtures.js";
import { fuzzFlawed } from "./flawed-run.js";
import { sarifSchemaErrors } from "./sarif-schema.js";

interface Log {
  readonly runs: readonly {
    readonly results: readonly {
      readonly ruleId: string;
      readonly ruleIndex?: number;
      readonly level: string;
      readonly message: { readonly text: string };
      readonly partialFingerprints: Readonly<Record<string, string>>;
      readonly locations?: readonly { physicalLocation: { artifactLocation: { uri: string } } }[];
      readonly suppressions?: readonly unknown[];
    }[];
    readonly tool: { readonly driver: { readonly rules: readonly { readonly id: string }[] } };
    readonly invocations: readonly { readonly executionSuccessful: boolean }[];
  }[];
}

function parse(text: string): Log {
  return JSON.parse(text) as Log;
}

const p05Finding = finding({
  id: "P05-00112233aabbccdd",
  family: "P05",
  oracle: "verdict",
  rule: "F1 (G2: selected AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY, REPOINT needs AUTHORIZE_PRODUCTION_EXECUTION)",
  reason: "verdict ALLOW for an attack",
});

function withEverything() {
  let r = withFamily(
    report(),
    family("P05", { name: "option-escalation", status: { kind: "finding" }, findings: [p05Finding] }),
  );
  r = withFamily(
    r,
    family("P07", {
      name: "production-target",
      rules: ["C1"],
      status: { kind: "inconclusive", why: "cut off at 3 of 8 runs" },
    }),
  );
  return { ...r, canary: "hit" as const, interrupted: true };
}

describe("report.sarif", () => {
  it("validates against the official SARIF 2.1.0 schema, with a result per finding, inconclusive family and canary", () => {
    const log = parse(renderSarif([withEverything()]));
    expect(sarifSchemaErrors(log)).toEqual([]);
    const results = log.runs[0]?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([
      ["G2", "error"],
      ["C1", "warning"],
      ["F2", "error"],
    ]);
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    for (const result of results) expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
    const [g2, c1] = results;
    expect(g2?.message.text).toContain(
      "Replay: failclosed replay reports/20251124T031500Z-a1b2c3/findings/P05-00112233aabbccdd.json",
    );
    expect(g2?.message.text).toContain("Seed 1234567, path 3:0:1");
    expect(g2?.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe("probes/p05-option-escalation.ts");
    expect(c1?.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe("probes/p07-production-target.ts");
    expect(g2?.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{64}$/);
    expect(log.runs[0]?.invocations[0]?.executionSuccessful).toBe(false);
  });

  it("a run where everything closed has no result and still validates", () => {
    const log = parse(renderSarif([report()]));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0]?.results).toEqual([]);
    expect(log.runs[0]?.invocations[0]?.executionSuccessful).toBe(true);
  });

  it("the schema check can fail: a result without a message is refused", () => {
    const log = JSON.parse(renderSarif([withEverything()])) as {
      runs: { results: { message?: unknown }[] }[];
    };
    delete log.runs[0]?.results[0]?.message;
    expect(sarifSchemaErrors(log)).not.toEqual([]);
  });

  it("the shards of a night merge into one run whose results come from every report", () => {
    const a = withEverything();
    const b = { ...report(), runId: "20251124T031500Z-d4e5f6", shard: { index: 2, total: 2 } };
    const log = parse(renderSarif([a, b]));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]?.invocations).toHaveLength(2);
  });
});

describe("the flaw's fingerprint", () => {
  it("ignores seed, bytes, description and the numbers in the reason; names family, oracle and rules", () => {
    const numbers = fc.tuple(fc.nat(), fc.nat(), fc.stringMatching(/^[0-9a-f]{12}$/));
    fc.assert(
      fc.property(numbers, numbers, fc.string(), fc.integer(), ([a, b, h], [c, d, k], text, seed) => {
        const one = finding({
          reason: `consumed nonces changed from ${a} to ${b} (${h}…)`,
          oracle: "state",
          rule: "F3 (G3: x)",
        });
        const two = finding({
          reason: `consumed nonces changed from ${c} to ${d} (${k}…)`,
          oracle: "state",
          rule: "F3 (G3: y)",
          seed,
          description: text,
          bytesB64: Buffer.from(text).toString("base64"),
        });
        expect(findingFingerprint(one)).toBe(findingFingerprint(two));
      }),
    );
  });

  it("tells flaws apart: another family, oracle, broken rule or kind of outcome is another alert", () => {
    const base = finding({
      family: "P04",
      oracle: "structured",
      rule: "F4 (G5: replay)",
      reason: "hang: no answer within 15000 ms",
    });
    const fingerprint = findingFingerprint(base);
    const others: Partial<Finding>[] = [
      { family: "P03" },
      { oracle: "verdict" },
      { rule: "F4 (G3: replay)" },
      { rule: "F1 (G5: replay)" },
      { reason: "HTTP 500" },
      { reason: "crashed (TypeError: x is undefined)" },
    ];
    for (const other of others)
      expect(findingFingerprint({ ...base, ...other }), JSON.stringify(other)).not.toBe(fingerprint);
    expect(outcomeClass("hang: no answer within 15000 ms")).toBe("hang: no answer within # ms");
  });

  it("is the same for two runs with different seeds that hit the same flawed component, another for another flaw", async () => {
    const options = { gate: { optionPermits: lexicalOptionLadder } };
    // A fingerprint names the oracle, and the metamorphic oracle may reach this flaw first through
    // a variant on one seed and not on another: what is compared here is one oracle on one flaw.
    const oracles = ORACLES.filter((oracle) => oracle.name !== "metamorphic");
    const [one, two] = [
      await fuzzFlawed(p05, options, 1, oracles),
      await fuzzFlawed(p05, options, 2, oracles),
    ];
    const a = one.families[0]?.findings[0];
    const b = two.families[0]?.findings[0];
    expect(a?.oracle).toBe("verdict");
    expect(b?.oracle).toBe("verdict");
    if (a === undefined || b === undefined) throw new Error("the flawed ladder was not found");
    // Different probes reached it (the seeds drew different actions or bases): only the flaw is shared.
    expect(a.bytesB64).not.toBe(b.bytesB64);
    const sarif = [parse(renderSarif([one])), parse(renderSarif([two]))].map(
      (log) => log.runs[0]?.results[0]?.partialFingerprints[FINGERPRINT_KEY],
    );
    expect(sarif[0]).toBe(findingFingerprint(a));
    expect(sarif[1]).toBe(sarif[0]);

    const other = await fuzzFlawed(p06, { gate: { blockerOpen: blockerStatusSubstring } }, 1);
    const c = other.families[0]?.findings[0];
    if (c === undefined) throw new Error("the flawed blocker check was not found");
    expect(findingFingerprint(c)).not.toBe(sarif[0]);
  }, 300_000);
});
