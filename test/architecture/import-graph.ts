import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** A source tree as path (relative to the repository, POSIX) to text. */
export type SourceTree = ReadonlyMap<string, string>;

export interface Edge {
  readonly from: string;
  /** A repository path for a relative specifier, else the bare specifier (a package). */
  readonly to: string;
  readonly line: number;
}

// Static imports, re-exports, `import type` and dynamic import(): every way one file can reach another.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(["'])([^"']+)\1/gm;

export function readTree(root: string, folders: readonly string[]): SourceTree {
  const tree = new Map<string, string>();
  const visit = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      const path = `${dir}/${name}`;
      if (statSync(join(root, path)).isDirectory()) visit(path);
      else if (name.endsWith(".ts")) tree.set(path, readFileSync(join(root, path), "utf8"));
    }
  };
  for (const folder of folders) visit(folder);
  return tree;
}

export function edgesOf(tree: SourceTree): Edge[] {
  const edges: Edge[] = [];
  for (const [from, text] of tree) {
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[2] ?? "";
      const line = text.slice(0, match.index).split("\n").length;
      const to = specifier.startsWith(".")
        ? normalize(join(dirname(from), specifier))
            .split("\\")
            .join("/")
            .replace(/\.js$/, ".ts")
        : specifier;
      edges.push({ from, to, line });
    }
  }
  return edges;
}

export interface Rule {
  readonly name: string;
  /** True when this edge breaks the rule. */
  readonly forbids: (edge: Edge) => boolean;
}

const under = (path: string, folder: string): boolean => path.startsWith(`${folder}/`);
const isPackage = (to: string): boolean => !to.includes("/") || !/^(src|probes|test|bench)\//.test(to);

/** The architecture's import rules (docs/architecture.md). */
export const RULES: readonly Rule[] = [
  {
    name: "the lane never imports the fuzzer, the CLI or probes",
    forbids: (e) =>
      under(e.from, "src/lane") &&
      (under(e.to, "src/fuzz") || under(e.to, "src/cli") || under(e.to, "probes") || e.to === "src/index.ts"),
  },
  {
    name: "the kernel imports neither wing",
    forbids: (e) =>
      under(e.from, "src/kernel") && /^(src\/(lane|fuzz|cli)\/|probes\/|src\/index\.ts$)/.test(e.to),
  },
  {
    name: "src never imports probes",
    forbids: (e) => under(e.from, "src") && under(e.to, "probes"),
  },
  {
    name: "probes import only the public surface (src/index.ts) and packages",
    forbids: (e) => under(e.from, "probes") && !isPackage(e.to) && e.to !== "src/index.ts",
  },
  {
    name: "the fuzzer reaches the lane only through src/lane/index.ts",
    forbids: (e) => under(e.from, "src/fuzz") && under(e.to, "src/lane") && e.to !== "src/lane/index.ts",
  },
  {
    name: "the engine imports neither reporters nor targets",
    forbids: (e) =>
      under(e.from, "src/fuzz/engine") && (under(e.to, "src/fuzz/report") || under(e.to, "src/fuzz/targets")),
  },
  {
    name: "targets never import the engine",
    forbids: (e) => under(e.from, "src/fuzz/targets") && under(e.to, "src/fuzz/engine"),
  },
  {
    name: "the fuzzer's statement of the contract never comes from the lane's policy",
    forbids: (e) => e.to === "src/lane/gate/policy.ts" && !under(e.from, "src/lane"),
  },
];

export function violations(tree: SourceTree, rules: readonly Rule[] = RULES): string[] {
  const out: string[] = [];
  for (const edge of edgesOf(tree)) {
    for (const rule of rules) {
      if (rule.forbids(edge)) out.push(`${edge.from}:${edge.line} imports ${edge.to}: ${rule.name}`);
    }
  }
  return out;
}

/** Import circles among the tree's own files (Tarjan's strongly connected components). */
export function circles(tree: SourceTree): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edgesOf(tree)) {
    if (!tree.has(edge.to)) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      for (;;) {
        const member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      const selfLoop = (next.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) found.push(component.sort());
    }
  };
  for (const node of tree.keys()) if (!index.has(node)) connect(node);
  return found;
}

export function relativeToRoot(root: string, path: string): string {
  return relative(root, path).split("\\").join("/");
}
