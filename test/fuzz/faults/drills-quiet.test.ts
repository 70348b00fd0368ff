/**
 * Must stay quiet: the shipped reference gate and lane under every fault of the catalogue refuse,
 * print no key and no stack, and refuse to start on every broken keyring with a stable code.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GATE_DRILL, LANE_DRILL, runDrills } from "./drill-run.js";

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "failclosed-drills-quiet-"));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

it("D01 and D02 close on the shipped reference lane", async () => {
  const report = await runDrills([GATE_DRILL, LANE_DRILL], workDir);
  for (const family of report.families) {
    expect(family.findings.map((f) => `${f.oracle}: ${f.reason} (${f.description})`)).toEqual([]);
    expect(family.status, family.family).toEqual({ kind: "closed" });
    expect(family.runs).toBeGreaterThanOrEqual(family.minRuns);
  }
}, 300_000);
