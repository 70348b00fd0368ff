/** The ten attack families of the "10/10" (DESIGN.md); the release gate requires every one closed. */
export const RELEASE_FAMILIES = [
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
] as const;
