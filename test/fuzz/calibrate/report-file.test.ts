/** The calibration report on disk: written whole, read back strictly against its schema. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  readCalibration,
  validateCalibration,
  writeCalibration,
} from "../../../src/fuzz/calibrate/report-file.js";
import { calibration, found, outcome } from "./fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "failclosed-calibration-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the calibration report file", () => {
  it("reads back what was written, every result kind included", async () => {
    const report = calibration({
      flaws: [
        found("p05-lexical-option-ladder"),
        outcome("p06-blocker-open-only", { kind: "missed", why: "P06 closed after 1000 runs", probes: 1000 }),
        outcome("p07-marker-presence-guard", { kind: "not-run", why: "P07 disabled" }),
      ],
    });
    const path = join(dir, "nested", "calibration.json");
    await writeCalibration(path, report);
    expect(await readCalibration(path)).toEqual({ kind: "read", report });
  });

  it.each([
    ["an unknown member", { ...calibration(), extra: 1 }],
    ["another kind", { ...calibration(), kind: "failclosed-report" }],
    ["another version of the format", { ...calibration(), v: 2 }],
    [
      "a found flaw without its oracle",
      calibration({ flaws: [{ ...found("p01-json-parse-codec"), result: { kind: "found" } }] as never }),
    ],
    [
      "a flaw listed twice",
      calibration({ flaws: [found("p01-json-parse-codec"), found("p01-json-parse-codec")] }),
    ],
  ])("refuses %s", (_what, value) => {
    expect(validateCalibration(JSON.parse(JSON.stringify(value))).ok).toBe(false);
  });

  it("says a missing file is unreadable and a file that is not strict JSON is malformed", async () => {
    expect((await readCalibration(join(dir, "absent.json"))).kind).toBe("unreadable");
    const duplicate = join(dir, "duplicate.json");
    await writeFile(duplicate, '{"kind":"failclosed-calibration","kind":"failclosed-calibration"}');
    expect((await readCalibration(duplicate)).kind).toBe("malformed");
  });
});
