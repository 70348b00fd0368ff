import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Issue #11: every file in probes/ is a declaration (id, operation, rules, runs and the flaw
 * tables it draws from), at most 60 lines; the vocabulary lives in src/fuzz/vocab, where
 * test/fuzz/vocab tests it.
 */
const PROBES = join(import.meta.dirname, "..", "..", "probes");
const MAX_LINES = 60;

function linesOf(text: string): number {
  return text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
}

describe("probe files are declarations", () => {
  const files = readdirSync(PROBES).filter((f) => f.endsWith(".ts"));

  it("finds the ten families, two controls and the fault drills' file", () => {
    expect(files.length).toBe(13);
  });

  it.each(files)(`%s has at most ${MAX_LINES} lines`, (file) => {
    expect(linesOf(readFileSync(join(PROBES, file), "utf8"))).toBeLessThanOrEqual(MAX_LINES);
  });

  it("the limit fires on a file one line over it, and stays quiet at it", () => {
    expect(linesOf("x\n".repeat(MAX_LINES + 1))).toBeGreaterThan(MAX_LINES);
    expect(linesOf("x\n".repeat(MAX_LINES))).toBeLessThanOrEqual(MAX_LINES);
  });

  it.each(files)("%s declares the fields a family needs, with no function bodies of its own", (file) => {
    const text = readFileSync(join(PROBES, file), "utf8");
    for (const field of ["id:", "operation:", "rules:", "minRuns:"]) expect(text).toContain(field);
    // A family that grows helpers again is a library, not a declaration: no top-level functions.
    expect(text).not.toMatch(/^(export )?(async )?function /m);
  });
});
