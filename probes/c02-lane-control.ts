import {
  cleanMigrationValues,
  renderCleanMigration,
  type CleanMigrationValue,
  type ProbeFamily,
} from "../src/index.js";

/** F5 positive control for the rehearsal lane: clean migrations must PASS in both modes. */
export const family: ProbeFamily<CleanMigrationValue> = {
  id: "C02",
  name: "lane-control",
  operation: "rehearse",
  role: "control",
  rules: ["C3", "C4", "C5", "C6", "C7"],
  minRuns: 6,
  arbitrary: cleanMigrationValues,
  render: renderCleanMigration,
  breaks: () => undefined,
  describe: (value) => `clean ${value.mode} migration of ${value.rows} rows`,
};
