/** Every family a run on the reference lane fires (controls, fault drills, attacks), sorted by id. */
export const REFERENCE_RUN_FAMILIES: readonly string[] = [
  "C01",
  "C02",
  "D01",
  "D02",
  "P01",
  "P02",
  "P03",
  "P04",
  "P05",
  "P06",
  "P07",
  "P08",
  "P09",
  "P10",
];
