/**
 * R4's edges for a rehearsal request: a migration may hold up to 1 MiB of SQL and the request up
 * to 1 MiB + 64 KiB; every other string at most 4,096 characters. Padding is a comment or JSON
 * whitespace, so only the size changes. Before a lane takes the 1 MiB exception, a padded escape
 * is refused as malformed; after, it must still be refused or fail for its escape: closed either way.
 */
import fc from "fast-check";
import type { Explained } from "../flaw.js";

export type SizeEdge =
  | "within"
  /** The migration just past the 4,096 characters of any other string. */
  | "padded past 4,096"
  | "migration over 1 MiB"
  | "request over 1 MiB + 64 KiB";

export const MAX_MIGRATION_BYTES = 1_048_576;
export const MAX_REHEARSAL_REQUEST_BYTES = MAX_MIGRATION_BYTES + 65_536;

/** Mostly within the limits: the oversized ones are a megabyte each to render and to refuse. */
export const sizeEdges: fc.Arbitrary<SizeEdge> = fc.oneof(
  { weight: 24, arbitrary: fc.constant<SizeEdge>("within") },
  { weight: 4, arbitrary: fc.constant<SizeEdge>("padded past 4,096") },
  { weight: 1, arbitrary: fc.constant<SizeEdge>("migration over 1 MiB") },
  { weight: 1, arbitrary: fc.constant<SizeEdge>("request over 1 MiB + 64 KiB") },
);

/** The rule an edge breaks on its own (the padded escape breaks its escape's rule, not R4). */
export function explainSize(edge: SizeEdge): Explained | undefined {
  switch (edge) {
    case "within":
    case "padded past 4,096":
      return undefined;
    case "migration over 1 MiB":
      return { rule: "R4", what: `migration of ${MAX_MIGRATION_BYTES + 1} bytes, over 1 MiB` };
    case "request over 1 MiB + 64 KiB":
      return {
        rule: "R4",
        what: `rehearsal request of ${MAX_REHEARSAL_REQUEST_BYTES + 1} bytes, over 1 MiB + 64 KiB`,
      };
  }
}

/** A trailing comment bringing the migration (ASCII) to `length` bytes; never shortens it. */
function padTo(sql: string, length: number): string {
  const room = length - sql.length - "\n/*  */\n".length;
  return room < 0 ? sql : `${sql}\n/* ${"f".repeat(room)} */\n`;
}

export function padMigration(sql: string, edge: SizeEdge): string {
  switch (edge) {
    case "within":
      return sql;
    case "padded past 4,096":
      return padTo(sql, 4_097 + 64);
    case "migration over 1 MiB":
      return padTo(sql, MAX_MIGRATION_BYTES + 1);
    case "request over 1 MiB + 64 KiB":
      return padTo(sql, MAX_MIGRATION_BYTES);
  }
}

/** JSON whitespace after the request's object: valid JSON, one byte over the request limit. */
export function padRequest(bytes: Uint8Array, edge: SizeEdge): Uint8Array {
  if (edge !== "request over 1 MiB + 64 KiB") return bytes;
  const room = Math.max(0, MAX_REHEARSAL_REQUEST_BYTES + 1 - bytes.length);
  return Buffer.concat([bytes, Buffer.alloc(room, 0x20)]);
}
