import fc from "fast-check";
import { labelOf } from "../craft/authorized.js";
import { rehearsalRequest } from "../craft/documents.js";
import { entropy } from "../craft/entropy.js";
import { renderMutated } from "../craft/json-render.js";
import type { FamilyContext } from "../types.js";

/** C02's positive control (F5): a clean migration that must PASS in both modes. */
export interface CleanMigrationValue {
  readonly entropy: number;
  readonly mode: "transactional" | "snapshot_restore";
  readonly rows: number;
  readonly addColumn: boolean;
}

export function cleanMigrationValues(): fc.Arbitrary<CleanMigrationValue> {
  return fc.record({
    entropy: entropy(),
    mode: fc.constantFrom("transactional", "snapshot_restore"),
    rows: fc.integer({ min: 1, max: 5 }),
    addColumn: fc.boolean(),
  });
}

/** A clean migration: create a table, insert rows, maybe add a column. */
export function cleanMigration(value: CleanMigrationValue): string {
  const table = `fc_control_${labelOf(value).slice(0, 12)}`;
  const rows = Array.from({ length: value.rows }, (_, i) => `(${i + 1}, 'row ${i + 1}')`).join(", ");
  return [
    `CREATE TABLE ${table} (id integer PRIMARY KEY, note text NOT NULL);`,
    `INSERT INTO ${table} (id, note) VALUES ${rows};`,
    value.addColumn ? `ALTER TABLE ${table} ADD COLUMN extra integer DEFAULT 0;` : "",
  ].join("\n");
}

export function renderCleanMigration(value: CleanMigrationValue, ctx: FamilyContext): Promise<Uint8Array> {
  const request = rehearsalRequest(ctx, labelOf(value), value.mode, cleanMigration(value));
  return Promise.resolve(renderMutated(request, []));
}
