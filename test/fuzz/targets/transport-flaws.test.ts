/**
 * Issue #15, "every transport in the default run": a run with the defaults (each family's minimum
 * runs, the default budget, timeout and concurrency) against the reference lane served over its
 * three transports finds a flaw planted in the HTTP layer (DENY and HOLD sent as 200) and one in
 * the JSON-lines layer (a refusal answered with the previous ALLOW), and stays closed without them.
 * Only the families that reach the flawed layer soonest run: P03 (gate refusals, copied to every
 * transport) and P04 (scenarios whose setup ALLOWs fill the stale reply buffer).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p03 } from "../../../probes/p03-unauthorized-action.js";
import { family as p04 } from "../../../probes/p04-grant-replay.js";
import { refusalAs200 } from "../../../src/fuzz/calibrate/flaws/t2-http-refusal-as-200.js";
import { staleReply } from "../../../src/fuzz/calibrate/flaws/t3-json-lines-stale-reply.js";
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { runFuzz } from "../../../src/fuzz/engine/engine.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import type { Report } from "../../../src/fuzz/report-types.js";
import { RUN_DEFAULTS } from "../../../src/fuzz/run/run-failclosed.js";
import { referenceOpener } from "../../../src/fuzz/targets/opener.js";
import type { TransportWraps } from "../../../src/fuzz/targets/served.js";
import type { ProbeFamily } from "../../../src/fuzz/types.js";

const SEED = 15;

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "failclosed-transport-flaws-"));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** What `failclosed run` does with the reference lane, but for the families and the flaw given. */
function fuzz(families: readonly ProbeFamily[], wraps?: TransportWraps): Promise<Report> {
  return runFuzz({
    families,
    openTarget: referenceOpener(workDir, {
      transports: true,
      ...(wraps === undefined ? {} : { components: { transports: wraps } }),
    }),
    oracles: ORACLES,
    canariesOf: (kut) => canariesFromJwks(kut.jwkSets),
    seed: SEED,
    budgetMs: RUN_DEFAULTS.budgetMs,
    concurrency: RUN_DEFAULTS.concurrency,
    familyConcurrency: 2,
    timeoutMs: RUN_DEFAULTS.timeoutMs,
    signal: new AbortController().signal,
    reporters: [],
    freshTargets: true,
  });
}

function findingsOf(report: Report) {
  return report.families.flatMap((family) => family.findings);
}

describe("a default run over every transport", () => {
  it(
    "finds an HTTP layer that sends a refusal as 200 (T2: 403 for DENY, 423 for HOLD)",
    { timeout: 600_000 },
    async () => {
      const report = await fuzz([p03], { http: refusalAs200 });
      const [finding] = findingsOf(report);
      expect(finding, JSON.stringify(report.families.map((f) => f.status))).toBeDefined();
      expect(finding).toMatchObject({ family: "P03", confirmation: "confirmed" });
      expect(["structured", "differential"]).toContain(finding?.oracle);
      expect(finding?.reason).toMatch(/HTTP 200 for (DENY|HOLD)/);
    },
  );

  it(
    "finds a JSON-lines layer that answers a refusal with the previous ALLOW",
    { timeout: 600_000 },
    async () => {
      const report = await fuzz([p04], { jsonLines: staleReply });
      const [finding] = findingsOf(report);
      expect(finding, JSON.stringify(report.families.map((f) => f.status))).toBeDefined();
      // Confirmed when the scenario itself holds the ALLOW the stale reply repeats; flaky when it
      // repeated an earlier scenario's ALLOW on the same server, which a fresh target has not
      // seen. Either fails the run and blocks the release.
      expect(finding).toMatchObject({ family: "P04" });
      expect(report.families[0]?.status.kind).toBe("finding");
      expect(["verdict", "sequence", "double-spend", "differential"]).toContain(finding?.oracle);
    },
  );

  it("stays closed on the reference lane as shipped", { timeout: 900_000 }, async () => {
    const report = await fuzz([p03, p04]);
    expect(findingsOf(report)).toEqual([]);
    expect(report.families.map((f) => [f.family, f.status.kind])).toEqual([
      ["P03", "closed"],
      ["P04", "closed"],
    ]);
  });
});
