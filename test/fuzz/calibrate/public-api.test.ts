/**
 * `failclosed calibrate` is a thin layer over the programmatic API: a nightly job written in
 * TypeScript can calibrate, read and check a calibration report through the package's entry.
 */
import { describe, expect, it } from "vitest";
import * as api from "../../../src/index.js";
import { CATALOGUE } from "../../../src/fuzz/calibrate/catalogue.js";

describe("the calibration in the public API (src/index.ts)", () => {
  it("exports calibrate, the catalogue and the report's reader, writer and validator", () => {
    expect(typeof api.calibrate).toBe("function");
    expect(typeof api.readCalibration).toBe("function");
    expect(typeof api.writeCalibration).toBe("function");
    expect(typeof api.validateCalibration).toBe("function");
    expect(typeof api.calibrated).toBe("function");
    expect(api.CATALOGUE).toBe(CATALOGUE);
    expect(api.flawIds()).toEqual(CATALOGUE.map((flaw) => flaw.id));
    expect(api.CALIBRATE_DEFAULTS).toBeDefined();
  });
});
