import { types } from "@electric-sql/pglite";

/**
 * The types PGlite must hand back as text, the same text the pg adapter returns: a lossy
 * JavaScript number or Date must never stand in for a bigint, a numeric or a timestamp, and both
 * engines must read alike. As type ids: the worker thread PGlite runs in builds the parsers.
 */
export const TEXT_TYPES: readonly number[] = [
  types.INT8,
  types.NUMERIC,
  types.DATE,
  types.TIMESTAMP,
  types.TIMESTAMPTZ,
];
