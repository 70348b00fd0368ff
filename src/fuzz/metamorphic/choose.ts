/**
 * Which relations a source is put to: a few per probe (the budget), rotated by the probe's digest
 * so that across a family's runs every relation gets its share, and the same probe always gets the
 * same ones (a replay derives the same variants again).
 */
import type { Relation } from "./relations.js";

/** The relations in the order they are tried for this probe: all of them, from a drawn start. */
export function rotation(relations: readonly Relation[], digest: string): readonly Relation[] {
  if (relations.length === 0) return [];
  const start = Number.parseInt(digest.slice(0, 8), 16) % relations.length;
  return [...relations.slice(start), ...relations.slice(0, start)];
}
