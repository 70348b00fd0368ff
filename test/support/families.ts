import { RELEASE_FAMILIES } from "../../src/fuzz/release/families.js";

/** Every family a run on the reference lane fires (controls, fault drills, attacks), sorted by id. */
export const REFERENCE_RUN_FAMILIES: readonly string[] = ["C01", "C02", "D01", "D02", ...RELEASE_FAMILIES];
