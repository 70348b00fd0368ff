import fc from "fast-check";
import { entropy, labelOf, rehearsalRequest, renderMutated, type ProbeFamily } from "../src/index.js";

interface Value {
  readonly entropy: number;
  readonly mode: "transactional" | "snapshot_restore";
  readonly rows: number;
  readonly addColumn: boolean;
}

/** A clean migration: create a table, insert rows, maybe add a column. */
function migration(value: Value): string {
  const table = `fc_control_${labelOf(value).slice(0, 12)}`;
  const rows = Array.from({ length: value.rows }, (_, i) => `(${i + 1}, 'row ${i + 1}')`).join(", ");
  return [
    `CREATE TABLE ${table} (id integer PRIMARY KEY, note text NOT NULL);`,
    `INSERT INTO ${table} (id, note) VALUES ${rows};`,
    value.addColumn ? `ALTER TABLE ${table} ADD COLUMN extra integer DEFAULT 0;` : "",
  ].join("\n");
}

/** F5 positive control for the rehearsal lane: clean migrations must PASS in both modes. */
export const family: ProbeFamily<Value> = {
  id: "C02",
  name: "lane-control",
  operation: "rehearse",
  role: "control",
  rules: ["C3", "C4", "C5", "C6", "C7"],
  minRuns: 6,
  arbitrary: () =>
    fc.record({
      entropy: entropy(),
      mode: fc.constantFrom("transactional", "snapshot_restore"),
      rows: fc.integer({ min: 1, max: 5 }),
      addColumn: fc.boolean(),
    }),
  render: (value, ctx) =>
    Promise.resolve(renderMutated(rehearsalRequest(ctx, labelOf(value), value.mode, migration(value)), [])),
  breaks: () => undefined,
  describe: (value) => `clean ${value.mode} migration of ${value.rows} rows`,
};
