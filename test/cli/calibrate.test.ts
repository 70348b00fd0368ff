/**
 * `failclosed calibrate` through the built command line, end to end: a real calibration of the
 * HTTP transport flaw found (exit 0, a report the schema takes); a fuzzer with P05 disabled fails
 * the calibration of P05's flaws (exit 1), and `failclosed gate --calibration` on that report fails
 * a run that is otherwise clean, while a calibration that found every flaw lets it pass.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateCalibration } from "../../src/fuzz/calibrate/report-file.js";
import { calibration } from "../fuzz/calibrate/fixtures.js";
import { report } from "../fuzz/report/fixtures.js";
import { cliIn } from "./cli-process.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "failclosed-calibrate-cli-"));
  // A run the release gate passes on its own: every family closed, a control held.
  await mkdir(join(dir, "run"));
  await writeFile(join(dir, "run", "report.json"), JSON.stringify(report()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, "utf8")) as unknown;
}

describe("failclosed calibrate", () => {
  it("finds the planted HTTP flaw: exit 0, the seed first, a line for the flaw and a valid report", async () => {
    const result = await cliIn(dir, [
      "calibrate",
      "--flaws",
      "t2-http-refusal-as-200",
      "--seed",
      "20260612",
      "--out",
      "found.json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("seed 20260612 (repeat this calibration with --seed 20260612)");
    expect(result.stdout).toMatch(/found\s+t2-http-refusal-as-200\s+P03 structured/);
    expect(result.stdout).toContain("CALIBRATED: 1/1 planted flaws found");
    const written = validateCalibration(await readJson(join(dir, "found.json")));
    expect(written.ok && written.value.flaws[0]?.result.kind).toBe("found");
  }, 600_000);

  it("with P05 disabled its flaws go unfound: exit 1, and gate --calibration fails a clean run", async () => {
    const blind = await cliIn(dir, [
      "calibrate",
      "--skip",
      "P05",
      "--flaws",
      "p05-lexical-option-ladder,p05-any-authorising-option",
      "--out",
      "blind.json",
    ]);
    expect(blind.code, blind.stderr).toBe(1);
    expect(blind.stdout).toMatch(/NOT RUN\s+p05-lexical-option-ladder\s+P05 disabled/);
    expect(blind.stdout).toContain("BLIND: 2 of 2 planted flaws not found");

    const clean = await cliIn(dir, ["gate", "run"]);
    expect(clean.code, clean.stdout).toBe(0);
    const gated = await cliIn(dir, ["gate", "run", "--calibration", "blind.json"]);
    expect(gated.code, gated.stdout).toBe(1);
    expect(gated.stdout).toContain("calibration: the fuzzer did not find p05-lexical-option-ladder");
    expect(gated.stdout).toMatch(/^FAIL: pass rate 10\/10/m);
  }, 600_000);

  it("gate --calibration passes with every flaw found, and fails without a calibration to read (exit 2)", async () => {
    await writeFile(join(dir, "all.json"), JSON.stringify(calibration()));
    expect((await cliIn(dir, ["gate", "run", "--calibration", "all.json"])).code).toBe(0);
    const missing = await cliIn(dir, ["gate", "run", "--calibration", "absent.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("calibration report missing");
  });

  it("refuses an unknown flaw or family as a usage error (exit 2)", async () => {
    const flaw = await cliIn(dir, ["calibrate", "--flaws", "p99-nothing"]);
    expect(flaw.code).toBe(2);
    expect(flaw.stderr).toContain("unknown flaw p99-nothing");
    expect((await cliIn(dir, ["calibrate", "--skip", "P99"])).code).toBe(2);
  });
});
