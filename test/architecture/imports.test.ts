import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { circles, readTree, violations } from "./import-graph.js";

const ROOT = join(import.meta.dirname, "..", "..");
const tree = readTree(ROOT, ["src", "probes"]);

describe("architecture: the import rules hold on the real source", () => {
  it("reads the whole tree", () => {
    expect(tree.size).toBeGreaterThan(150);
    expect(tree.has("src/lane/index.ts")).toBe(true);
  });

  it("breaks no import rule", () => {
    expect(violations(tree)).toEqual([]);
  });

  it("has no import circle", () => {
    expect(circles(tree)).toEqual([]);
  });
});

describe("architecture: each rule fires when a forbidden import is added", () => {
  const withFile = (path: string, text: string): Map<string, string> => new Map([...tree, [path, text]]);
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    [
      "src/lane/gate/sneaky.ts",
      'import { runEngine } from "../../fuzz/engine/engine.js";',
      "lane never imports",
    ],
    ["src/lane/gate/sneaky.ts", 'const m = await import("../../cli/main.js");', "lane never imports"],
    ["src/kernel/sneaky.ts", 'import type { Keyring } from "../lane/index.js";', "kernel imports neither"],
    [
      "src/fuzz/sneaky.ts",
      'export * from "../../probes/p01-malformed-packet.js";',
      "src never imports probes",
    ],
    ["probes/p99-sneaky.ts", 'import { decide } from "../src/lane/gate/gate.js";', "public surface"],
    [
      "src/fuzz/oracles/sneaky.ts",
      'import { decide } from "../../lane/gate/gate.js";',
      "only through src/lane/index.ts",
    ],
    [
      "src/fuzz/engine/sneaky.ts",
      'import { writeReports } from "../report/index.js";',
      "neither reporters nor targets",
    ],
    [
      "src/fuzz/engine/sneaky.ts",
      'import { openTarget } from "../targets/index.js";',
      "neither reporters nor targets",
    ],
    [
      "src/fuzz/targets/sneaky.ts",
      'import { runEngine } from "../engine/engine.js";',
      "targets never import",
    ],
    [
      "src/fuzz/contract/sneaky.ts",
      'import { requiredGrantActions } from "../../lane/gate/policy.js";',
      "contract",
    ],
  ];
  it.each(cases)("%s: %s", (path, text, rule) => {
    const found = violations(withFile(path, text));
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((line) => line.startsWith(`${path}:1`) && line.includes(rule))).toBe(true);
  });

  it("finds an added circle and names its files", () => {
    const looped = new Map(tree);
    looped.set("src/kernel/a.ts", 'import { b } from "./b.js";\nexport const a = 1;');
    looped.set("src/kernel/b.ts", 'import type { a } from "./a.js";\nexport const b = 2;');
    expect(circles(looped)).toContainEqual(["src/kernel/a.ts", "src/kernel/b.ts"]);
  });

  it("stays quiet on imports the rules allow", () => {
    const allowed = withFile(
      "src/fuzz/oracles/fine.ts",
      'import { decodeDocument } from "../../lane/index.js";\nimport fc from "fast-check";',
    );
    expect(violations(allowed)).toEqual(violations(tree));
  });
});
