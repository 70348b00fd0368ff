import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import config from "../../vitest.config.js";
import { SLOW_SUITES } from "../suites.js";

const ROOT = join(import.meta.dirname, "..", "..");

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") ? [relative(ROOT, path)] : [];
  });
}

interface Project {
  test: { name: string; include?: string[]; exclude?: string[] };
}

function project(name: string): Project["test"] {
  const projects = (config.test?.projects ?? []) as Project[];
  const found = projects.find((p) => p.test.name === name);
  if (found === undefined) throw new Error(`no project ${name} in vitest.config.ts`);
  return found.test;
}

describe("the fast and slow suites (test/suites.ts) split the tests without dropping one", () => {
  it("every slow entry names an existing test file, once", () => {
    for (const file of SLOW_SUITES) {
      expect(existsSync(join(ROOT, file)), `${file} does not exist`).toBe(true);
      expect(file).toMatch(/^test\/.+\.test\.ts$/);
    }
    expect(new Set(SLOW_SUITES).size).toBe(SLOW_SUITES.length);
  });

  it("the fast project takes every test file except the slow ones; the slow project takes those", () => {
    const fast = project("fast");
    const slow = project("slow");
    expect(fast.include).toEqual(["test/**/*.test.ts"]);
    for (const file of SLOW_SUITES) expect(fast.exclude).toContain(file);
    expect(slow.include).toEqual([...SLOW_SUITES]);
    // Nothing else is excluded from the fast suite beyond vitest's own defaults (node_modules…).
    const extra = (fast.exclude ?? []).filter((p) => p.startsWith("test/"));
    expect(extra.sort()).toEqual([...SLOW_SUITES].sort());
  });

  it("there are test files on both sides of the split", () => {
    const all = testFiles(join(ROOT, "test"));
    const slow = new Set(SLOW_SUITES);
    expect(all.filter((f) => slow.has(f)).length).toBe(SLOW_SUITES.length);
    expect(all.filter((f) => !slow.has(f)).length).toBeGreaterThan(0);
    expect(SLOW_SUITES.length).toBeGreaterThan(0);
  });
});
