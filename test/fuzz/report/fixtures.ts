import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent } from "../../../src/fuzz/events.js";
import type { Report } from "../../../src/fuzz/report-types.js";
import type { FamilyResult, FamilyStatus, Finding, ProbeRole } from "../../../src/fuzz/types.js";

export const VERSIONS = { failclosed: "0.1.0", node: "v20.20.2", fastCheck: "4.10.2" } as const;
export const TEN = ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10"] as const;
export const REQUIRED = { families: TEN } as const;

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: "P02-0123456789abcdef",
    family: "P02",
    oracle: "verdict-is-refusal",
    rule: "F1 (S3: alg none)",
    reason: "verdict was ALLOW for a probe that breaks S3",
    operation: "decide",
    role: "attack",
    description: "header alg rewritten to none",
    bytesB64: Buffer.from('{"kind":"action-request"}').toString("base64"),
    seed: 1234567,
    path: "3:0:1",
    now: 1_760_000_000,
    salt: "c2FsdHNhbHRzYWx0",
    versions: VERSIONS,
    confirmation: "confirmed",
    target: "in-process",
    ...overrides,
  };
}

export function family(id: string, overrides: Partial<FamilyResult> = {}): FamilyResult {
  const role: ProbeRole = overrides.role ?? (id.startsWith("C") ? "control" : "attack");
  const status: FamilyStatus = overrides.status ?? { kind: "closed" };
  return {
    family: id,
    name: `family-${id.toLowerCase()}`,
    role,
    operation: "decide",
    rules: ["R1", "R2"],
    seed: 42,
    runs: 500,
    minRuns: 500,
    probes: 520,
    elapsedMs: 2_000,
    firstProbeMs: 1_500,
    status,
    findings: [],
    ...overrides,
  };
}

/** Every release family closed plus one control that held: a report the gate passes. */
export function report(overrides: Partial<Report> = {}): Report {
  const families = overrides.families ?? [...TEN.map((id) => family(id)), family("C-GATE")];
  const probes = families.reduce((sum, result) => sum + result.probes, 0);
  const findings = families.reduce((sum, result) => sum + result.findings.length, 0);
  return {
    kind: "failclosed-report",
    v: 1,
    runId: "20251124T031500Z-a1b2c3",
    startedAt: "2025-11-24T03:15:00.000Z",
    finishedAt: "2025-11-24T03:16:00.000Z",
    seed: 123456,
    target: "in-process",
    versions: VERSIONS,
    families,
    canary: "clean",
    interrupted: false,
    totals: { probes, findings, elapsedMs: 60_000, probesPerSecond: probes / 60 },
    ...overrides,
  };
}

/** Replaces one family of a report. */
export function withFamily(base: Report, result: FamilyResult): Report {
  const families = base.families.map((existing) => (existing.family === result.family ? result : existing));
  const findings = families.reduce((sum, r) => sum + r.findings.length, 0);
  return { ...base, families, totals: { ...base.totals, findings } };
}

export const clean = (): undefined => undefined;
export const hit = (): string => "base64";

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "failclosed-report-"));
}

/** Every file under dir, relative, sorted (temporary files included: none may be left). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

export function runStart(overrides: Partial<Extract<EngineEvent, { type: "run-start" }>> = {}) {
  return {
    type: "run-start",
    runId: "20251124T031500Z-a1b2c3",
    seed: 123456,
    target: "in-process",
    families: [
      { id: "P01", role: "attack", operation: "decide" },
      { id: "C-GATE", role: "control", operation: "decide" },
    ],
    budgetMs: 60_000,
    ...overrides,
  } as const satisfies Extract<EngineEvent, { type: "run-start" }>;
}
