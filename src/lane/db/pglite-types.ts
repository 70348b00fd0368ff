import { types } from "@electric-sql/pglite";

/**
 * The types PGlite must hand back as text, the same text the pg adapter returns: a lossy
 * JavaScript number or Date must never stand in for a bigint, a numeric or a timestamp, and both
 * engines must read alike. As type ids, so that a worker thread can build the same parsers.
 */
export const TEXT_TYPES: readonly number[] = [
  types.INT8,
  types.NUMERIC,
  types.DATE,
  types.TIMESTAMP,
  types.TIMESTAMPTZ,
];

const asText = (value: string): string => value;

export function textParsers(): Record<number, (value: string) => string> {
  return Object.fromEntries(TEXT_TYPES.map((oid) => [oid, asText]));
}
