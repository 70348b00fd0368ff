import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type * as fs from "node:fs";
import type { Stats } from "node:fs";
import * as fsp from "node:fs/promises";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  MAX_TREE_DEPTH,
  computeTreeId,
  isTreeEntries,
  isTreeId,
  treeIdOfEntries,
  verifyTree,
  type TreeEntries,
  type TreeNode,
} from "../../../src/lane/evidence/tree.js";
import { blobId, treeObjectId } from "../../../src/lane/evidence/tree-hash.js";
import { checkDirectoryNames, nameProblem } from "../../../src/lane/evidence/tree-rules.js";
import type { Result } from "../../../src/kernel/result.js";

// Hooks into node:fs and node:fs/promises so the walk's race defences (a file swapped or
// resized between readdir, open and read) and errors root cannot cause (EACCES) can be
// exercised. Passthrough unless a test sets a hook.
const hooks = vi.hoisted(() => ({
  beforeOpen: undefined as ((path: string) => Promise<void>) | undefined,
  afterStat: undefined as ((path: string) => Promise<void>) | undefined,
  fail: new Map<string, { op: "open" | "readdir"; code: string }>(),
}));

function injected(path: unknown, op: "open" | "readdir"): Error | undefined {
  const fault = hooks.fail.get(String(path));
  if (fault?.op !== op) return undefined;
  const e = new Error(`injected ${fault.code}`) as NodeJS.ErrnoException;
  e.code = fault.code;
  return e;
}

type Callback<T> = (e: NodeJS.ErrnoException | null, value: T) => void;

vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  const pathOf = new Map<number, string>();
  const open = ((path: string, flags: number, callback: Callback<number>) => {
    const fault = injected(path, "open");
    if (fault !== undefined) return process.nextTick(callback, fault, -1);
    void (hooks.beforeOpen?.(path) ?? Promise.resolve()).then(() =>
      actual.open(path, flags, (e, fd) => {
        if (e === null) pathOf.set(fd, path);
        callback(e, fd);
      }),
    );
  }) as unknown as typeof actual.open;
  const fstat = ((fd: number, callback: Callback<Stats>) =>
    actual.fstat(fd, (e, st) => {
      const path = pathOf.get(fd);
      const hook = path === undefined ? undefined : hooks.afterStat?.(path);
      void (hook ?? Promise.resolve()).then(() => callback(e, st));
    })) as unknown as typeof actual.fstat;
  return { ...actual, default: { ...actual, open, fstat }, open, fstat };
});

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof fsp>();
  const readdir = (async (path: string, ...rest: unknown[]) => {
    const fault = injected(path, "readdir");
    if (fault !== undefined) throw fault;
    return (actual.readdir as (p: string, ...r: unknown[]) => Promise<unknown>)(path, ...rest);
  }) as typeof actual.readdir;
  return { ...actual, default: { ...actual, readdir }, readdir };
});

// ---------- scratch space, tree building, and git as the oracle ----------

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), "failclosed-tree-"));
});
afterEach(async () => {
  hooks.beforeOpen = undefined;
  hooks.afterStat = undefined;
  hooks.fail.clear();
  await rm(scratch, { recursive: true, force: true });
});

type Spec = {
  readonly [name: string]: string | Uint8Array | { bytes: Uint8Array; executable: boolean } | Spec;
};

const enc = new TextEncoder();
const exe = (text: string) => ({ bytes: enc.encode(text), executable: true });

/** Test trees are written as object literals; the API takes Maps. */
function tree(spec: Spec): TreeEntries {
  const map = new Map<string, TreeNode>();
  for (const [name, value] of Object.entries(spec)) {
    if (typeof value === "string") map.set(name, enc.encode(value));
    else if (value instanceof Uint8Array || "bytes" in value) map.set(name, value as TreeNode);
    else map.set(name, tree(value));
  }
  return map;
}

async function writeTree(dir: string, entries: TreeEntries): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, node] of entries) {
    const path = join(dir, name);
    if (isTreeEntries(node)) {
      await writeTree(path, node);
    } else if (node instanceof Uint8Array) {
      await writeFile(path, node);
      await chmod(path, 0o644);
    } else {
      await writeFile(path, node.bytes);
      await chmod(path, node.executable === true ? 0o755 : 0o644);
    }
  }
}

let trees = 0;

/** A fresh directory per call, so no test sees another's leftovers. */
async function scratchTree(spec: Spec, name = `t${trees++}`): Promise<string> {
  const dir = join(scratch, name);
  await writeTree(dir, tree(spec));
  return dir;
}

function gitEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  return { ...env, GIT_CONFIG_NOSYSTEM: "1", HOME: home, XDG_CONFIG_HOME: home };
}

/** What git itself says, with its repository outside the work tree so the tree stays .git-free. */
function gitTreeId(workTree: string): string {
  const gitDir = join(scratch, "git-dir");
  const home = join(scratch, "git-home");
  execFileSync("mkdir", ["-p", home]);
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      [
        "-c",
        "core.filemode=true",
        "-c",
        "core.autocrlf=false",
        `--git-dir=${gitDir}`,
        `--work-tree=${workTree}`,
        ...args,
      ],
      { env: gitEnv(home), encoding: "utf8" },
    ).trim();
  execFileSync("rm", ["-rf", gitDir]);
  git("init", "-q", "--object-format=sha256", "--template=");
  git("add", "-A");
  return git("write-tree");
}

async function allThree(spec: Spec): Promise<{ disk: string; memory: string; git: string }> {
  const dir = await scratchTree(spec);
  const disk = await computeTreeId(dir);
  const memory = treeIdOfEntries(tree(spec));
  if (!disk.ok || !memory.ok) throw new Error(`refused: ${JSON.stringify([disk, memory])}`);
  return { disk: disk.value, memory: memory.value, git: gitTreeId(dir) };
}

function expectRefused(result: Result<unknown, { code: string; path: string }>, code: string, path?: string) {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  if (path !== undefined) expect(result.error.path).toBe(path);
  // Errors name a relative path only: never where the tree lives, never what a file holds.
  expect(JSON.stringify(result.error)).not.toContain(scratch);
  expect(JSON.stringify(result.error)).not.toContain("CANARY");
}

// ---------- ids ----------

describe("isTreeId", () => {
  it("accepts exactly 64 lowercase hex digits", () => {
    expect(isTreeId("0".repeat(64))).toBe(true);
    expect(isTreeId("abcdef0123456789".repeat(4))).toBe(true);
    for (const bad of [
      "",
      "0".repeat(63),
      "0".repeat(65),
      "A".repeat(64),
      "g".repeat(64),
      `${"0".repeat(64)}\n`,
    ]) {
      expect(isTreeId(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(isTreeId(42 as unknown as string)).toBe(false);
  });
});

describe("tree ids agree with git", () => {
  const cases: Array<[string, Spec]> = [
    ["one file", { "result.json": '{"verdict":"PASS"}\n' }],
    ["an empty file", { empty: "" }],
    ["an executable file beside a plain one", { "run.sh": exe("#!/bin/sh\n"), "data.txt": "x" }],
    ["nested directories", { a: { b: { c: { "leaf.txt": "deep" } }, f: "1" }, z: "2" }],
    ["git's sort: a- < a.b < dir a < a0", { "a-": "1", "a.b": "2", a: { f: "3" }, a0: "4" }],
    ["a directory sorts after a file it prefixes", { foo: { x: "1" }, "foo.txt": "2", foo0: "3" }],
    ["uppercase before lowercase", { b: "1", B: "2", _: "3", "-": "4", "0": "5" }],
    [
      "names near the reserved ones",
      { "...": "1", "..a": "2", ".git-x": "3", ".gitx": "4", git: "5", GIT: "6" },
    ],
    ["a name of 255 characters", { ["n".repeat(255)]: "x" }],
    ["binary bytes, CRLF and NUL", { bin: new Uint8Array([0, 13, 10, 255, 0, 10]), crlf: "a\r\nb\r\n" }],
    ["a file larger than one read chunk", { big: new Uint8Array(randomBytes(200_000)) }],
  ];
  for (const [label, spec] of cases) {
    it(label, async () => {
      const ids = await allThree(spec);
      expect(isTreeId(ids.disk)).toBe(true);
      expect(ids.disk).toBe(ids.git);
      expect(ids.memory).toBe(ids.git);
    });
  }

  it("hashes blobs and the empty tree as git does", () => {
    const home = join(scratch, "h");
    const gitDir = join(scratch, "g");
    execFileSync("mkdir", ["-p", home]);
    const git = (args: string[], input = "") =>
      execFileSync("git", [`--git-dir=${gitDir}`, ...args], {
        env: gitEnv(home),
        encoding: "utf8",
        input,
      }).trim();
    git(["init", "-q", "--object-format=sha256", "--template=", "--bare"]);
    expect(blobId(new Uint8Array()).toString("hex")).toBe(git(["hash-object", "--stdin"]));
    expect(blobId(enc.encode("hello\n")).toString("hex")).toBe(git(["hash-object", "--stdin"], "hello\n"));
    expect(treeObjectId([]).toString("hex")).toBe(git(["mktree"]));
  });

  it("keeps only the owner-execute bit, as git does", async () => {
    const dir = await scratchTree({ u: "1", g: "2", o: "3", only: "4", none: "5" });
    await chmod(join(dir, "u"), 0o744);
    await chmod(join(dir, "g"), 0o654);
    await chmod(join(dir, "o"), 0o641);
    await chmod(join(dir, "only"), 0o500);
    await chmod(join(dir, "none"), 0o600);
    const disk = await computeTreeId(dir);
    const memory = treeIdOfEntries(tree({ u: exe("1"), g: "2", o: "3", only: exe("4"), none: "5" }));
    expect(disk).toEqual({ ok: true, value: gitTreeId(dir) });
    expect(memory).toEqual(disk);
  });

  it("changes when a byte, a mode or a name changes", async () => {
    const spec: Spec = { d: { "digest.txt": "abc" }, m: "x" };
    const base = await allThree(spec);
    const byte = await allThree({ ...spec, d: { "digest.txt": "abd" } });
    const mode = await allThree({ ...spec, m: exe("x") });
    const name = await allThree({ d: { "digest.txt": "abc" }, n: "x" });
    const ids = new Set([base.git, byte.git, mode.git, name.git]);
    expect(ids.size).toBe(4);
    for (const x of [base, byte, mode, name]) expect([x.disk, x.memory]).toEqual([x.git, x.git]);
  });

  it("hashes a Map shared in two places as two copies", () => {
    const shared = tree({ f: "1" });
    const sharing = new Map<string, TreeNode>([
      ["a", shared],
      ["b", shared],
    ]);
    expect(treeIdOfEntries(sharing)).toEqual(treeIdOfEntries(tree({ a: { f: "1" }, b: { f: "1" } })));
  });

  it("hashes a heavily shared Map once, so sharing cannot blow up", () => {
    let level: TreeEntries = tree({ f: "x" });
    for (let i = 0; i < 60; i++) {
      level = new Map<string, TreeNode>([
        ["l", level],
        ["r", level],
      ]);
    }
    const started = Date.now();
    expect(treeIdOfEntries(level).ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("verifyTree", () => {
  it("returns the id when it matches", async () => {
    const dir = await scratchTree({ a: "1" });
    const id = gitTreeId(dir);
    expect(await verifyTree(dir, id)).toEqual({ ok: true, value: id });
  });

  it("refuses a changed byte with tree_mismatch, naming both ids", async () => {
    const dir = await scratchTree({ d: { a: "1" } });
    const before = gitTreeId(dir);
    await writeFile(join(dir, "d", "a"), "2");
    const result = await verifyTree(dir, before);
    expectRefused(result, "tree_mismatch", ".");
    if (!result.ok && result.error.code === "tree_mismatch") {
      expect(result.error.expected).toBe(before);
      expect(result.error.actual).toBe(gitTreeId(dir));
    }
  });

  it("refuses a malformed expected id before reading anything", async () => {
    for (const bad of ["", "A".repeat(64), "0".repeat(63), `${"0".repeat(64)} `]) {
      expectRefused(await verifyTree(join(scratch, "missing"), bad), "tree_id_malformed", ".");
    }
  });

  it("passes the walk's refusals through", async () => {
    const dir = await scratchTree({ a: "1" });
    const id = gitTreeId(dir);
    await symlink("a", join(dir, "link"));
    expectRefused(await verifyTree(dir, id), "tree_symlink", "link");
  });
});

// ---------- refusals: each must fire, and must stay quiet on its near miss ----------

describe("tree_symlink", () => {
  it("fires on a link to a file, to a directory, a dangling link and a linked root", async () => {
    const dir = await scratchTree({ f: "CANARY", d: { g: "1" } });
    await symlink("f", join(dir, "d", "to-file"));
    expectRefused(await computeTreeId(dir), "tree_symlink", "d/to-file");
    await rm(join(dir, "d", "to-file"));
    await symlink("d", join(dir, "to-dir"));
    expectRefused(await computeTreeId(dir), "tree_symlink", "to-dir");
    await rm(join(dir, "to-dir"));
    await symlink("nowhere", join(dir, "dangling"));
    expectRefused(await computeTreeId(dir), "tree_symlink", "dangling");
    await rm(join(dir, "dangling"));
    await symlink(dir, join(scratch, "root-link"));
    expectRefused(await computeTreeId(join(scratch, "root-link")), "tree_symlink", ".");
  });

  it("stays quiet on the same tree with real files", async () => {
    const dir = await scratchTree({ f: "1", d: { g: "1", "to-file": "1" } });
    expect((await computeTreeId(dir)).ok).toBe(true);
  });

  it("fires on a file swapped for a link between readdir and open", async () => {
    const dir = await scratchTree({ a: "1", b: "CANARY" });
    hooks.beforeOpen = async (path) => {
      if (path !== join(dir, "a")) return;
      await rm(path);
      await symlink("b", path);
    };
    expectRefused(await computeTreeId(dir), "tree_symlink", "a");
  });
});

describe("tree_special_file", () => {
  it("fires on a FIFO", async () => {
    const dir = await scratchTree({ a: "1" });
    execFileSync("mkfifo", [join(dir, "pipe")]);
    expectRefused(await computeTreeId(dir), "tree_special_file", "pipe");
  });

  it("fires on a socket", async () => {
    const dir = await scratchTree({ a: "1" });
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, "sock"), resolve));
    try {
      expectRefused(await computeTreeId(dir), "tree_special_file", "sock");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fires on a device node (where mknod is permitted)", async (ctx) => {
    const dir = await scratchTree({ a: "1" });
    try {
      execFileSync("mknod", [join(dir, "null"), "c", "1", "3"], { stdio: "ignore" });
    } catch {
      ctx.skip();
    }
    expectRefused(await computeTreeId(dir), "tree_special_file", "null");
  });

  it("fires on an in-memory value that is neither bytes, a file record nor a Map", () => {
    for (const bad of ["text", 1, null, undefined, {}, { bytes: "x" }, [1, 2]]) {
      const entries = new Map([["x", bad as unknown as TreeNode]]);
      expectRefused(treeIdOfEntries(entries), "tree_special_file", "x");
    }
  });

  it("stays quiet on regular files and file records", async () => {
    const dir = await scratchTree({ pipe: "1", sock: "2", null: "3" });
    expect((await computeTreeId(dir)).ok).toBe(true);
    expect(treeIdOfEntries(new Map([["x", { bytes: new Uint8Array([1]) }]])).ok).toBe(true);
  });

  it("does not hang on a file swapped for a FIFO between readdir and open", async () => {
    const dir = await scratchTree({ a: "1" });
    hooks.beforeOpen = async (path) => {
      if (path !== join(dir, "a")) return;
      await rm(path);
      execFileSync("mkfifo", [path]);
    };
    expectRefused(await computeTreeId(dir), "tree_unreadable", "a");
  });
});

describe("tree_bad_name", () => {
  it("fires on names outside the alphabet, on disk", async () => {
    let i = 0;
    for (const [name, shown] of [
      ["a b", "d/a\\u{20}b"],
      ["caf\u00e9", "d/caf\\u{e9}"],
      ["x~", "d/x\\u{7e}"],
      ["a\nb", "d/a\\u{a}b"],
      ["back\\slash", "d/back\\u{5c}slash"],
    ] as const) {
      const dir = await scratchTree({ d: { ok: "1" } }, `bad-${i++}`);
      await writeFile(join(dir, "d", name), "CANARY");
      expectRefused(await computeTreeId(dir), "tree_bad_name", shown);
    }
  });

  it("fires on .git and the names git gives meaning to, in any case, on disk", async () => {
    for (const name of [".git", ".GIT", ".Git.", ".git..", ".gitignore", ".GitAttributes", ".gitmodules"]) {
      const dir = await scratchTree({ d: { ok: "1" } }, `reserved${name}`);
      await mkdir(join(dir, "d", name));
      await writeFile(join(dir, "d", name, "HEAD"), "CANARY");
      expectRefused(await computeTreeId(dir), "tree_bad_name", `d/${name}`);
    }
  });

  it("fires on every refused name in memory, including . and .. and overlong names", () => {
    for (const name of [
      ".",
      "..",
      "",
      "a/b",
      "a b",
      ".git",
      ".GIT.",
      ".gitignore",
      "n".repeat(256),
      "\u0000",
    ]) {
      expectRefused(treeIdOfEntries(new Map([[name, enc.encode("CANARY")]])), "tree_bad_name");
    }
    const nonString = new Map([[7 as unknown as string, enc.encode("x")]]);
    expectRefused(treeIdOfEntries(nonString), "tree_bad_name", "7");
  });

  it("fires on a duplicate name", () => {
    expect(checkDirectoryNames(".", ["a", "b", "a"])).toMatchObject({ code: "tree_bad_name", path: "a" });
  });

  it("stays quiet on allowed names that look close to refused ones", () => {
    for (const name of [
      "...",
      "..a",
      "a..",
      ".git-x",
      ".gitx",
      "git",
      "GIT",
      "_",
      "-",
      "n".repeat(255),
      ".github",
    ]) {
      expect(nameProblem(name), name).toBeUndefined();
    }
    expect(checkDirectoryNames(".", ["a", "A", "b"])).toBeUndefined();
  });
});

describe("tree_empty_directory", () => {
  it("fires on an empty subdirectory, one holding only an empty directory, and an empty root", async () => {
    const dir = await scratchTree({ a: "1" });
    await mkdir(join(dir, "e"));
    expectRefused(await computeTreeId(dir), "tree_empty_directory", "e");
    await mkdir(join(dir, "e", "inner"));
    expectRefused(await computeTreeId(dir), "tree_empty_directory", "e/inner");
    await mkdir(join(scratch, "empty-root"));
    expectRefused(await computeTreeId(join(scratch, "empty-root")), "tree_empty_directory", ".");
    expectRefused(treeIdOfEntries(new Map()), "tree_empty_directory", ".");
    expectRefused(treeIdOfEntries(tree({ a: "1", e: {} })), "tree_empty_directory", "e");
  });

  it("stays quiet on a directory holding one empty file", async () => {
    const ids = await allThree({ e: { empty: "" } });
    expect(ids.disk).toBe(ids.git);
  });
});

describe("tree_not_directory", () => {
  it("fires on a root that is a file, and an in-memory root that is not a Map", async () => {
    await writeFile(join(scratch, "file"), "CANARY");
    expectRefused(await computeTreeId(join(scratch, "file")), "tree_not_directory", ".");
    expectRefused(treeIdOfEntries(enc.encode("x") as unknown as TreeEntries), "tree_not_directory", ".");
    expectRefused(
      treeIdOfEntries({ a: enc.encode("x") } as unknown as TreeEntries),
      "tree_not_directory",
      ".",
    );
  });

  it("stays quiet on a directory root", async () => {
    expect((await computeTreeId(await scratchTree({ file: "x" }))).ok).toBe(true);
  });
});

describe("tree_unreadable", () => {
  it("fires on a missing root, a root below a file, and paths Node rejects", async () => {
    await writeFile(join(scratch, "file"), "x");
    for (const path of [join(scratch, "missing"), join(scratch, "file", "below"), "", "a\u0000b"]) {
      expectRefused(await computeTreeId(path), "tree_unreadable", ".");
    }
    expectRefused(await computeTreeId(undefined as unknown as string), "tree_unreadable", ".");
  });

  it("fires on a file or directory that cannot be opened or listed", async () => {
    const dir = await scratchTree({ d: { f: "CANARY" }, g: "1" });
    hooks.fail.set(join(dir, "d", "f"), { op: "open", code: "EACCES" });
    expectRefused(await computeTreeId(dir), "tree_unreadable", "d/f");
    hooks.fail.clear();
    hooks.fail.set(join(dir, "d"), { op: "readdir", code: "EACCES" });
    expectRefused(await computeTreeId(dir), "tree_unreadable", "d");
    hooks.fail.clear();
    hooks.fail.set(join(dir, "g"), { op: "open", code: "ENOENT" });
    expectRefused(await computeTreeId(dir), "tree_unreadable", "g");
  });

  it.skipIf(process.getuid?.() === 0)("fires on real permission bits (not as root)", async () => {
    const dir = await scratchTree({ d: { f: "1" }, g: "CANARY" });
    await chmod(join(dir, "g"), 0o000);
    expectRefused(await computeTreeId(dir), "tree_unreadable", "g");
    await chmod(join(dir, "g"), 0o644);
    await chmod(join(dir, "d"), 0o000);
    expectRefused(await computeTreeId(dir), "tree_unreadable", "d");
    await chmod(join(dir, "d"), 0o755);
  });

  it("fires on a file that grows or shrinks while it is read", async () => {
    const dir = await scratchTree({ a: "12345", b: "other" });
    const a = join(dir, "a");
    for (const change of [(p: string) => fsp.appendFile(p, "+"), (p: string) => fsp.truncate(p, 2)]) {
      await writeFile(a, "12345");
      hooks.afterStat = async (path) => {
        if (path === a) await change(path);
      };
      expectRefused(await computeTreeId(dir), "tree_unreadable", "a");
    }
  });

  it("stays quiet when nothing fails or changes", async () => {
    const dir = await scratchTree({ d: { f: "1" }, g: "1" });
    hooks.fail.set(join(dir, "elsewhere"), { op: "open", code: "EACCES" });
    hooks.afterStat = async () => {};
    expect((await computeTreeId(dir)).ok).toBe(true);
  });
});

describe("tree_too_deep and tree_cycle", () => {
  function chain(levels: number): TreeEntries {
    let node: TreeEntries = tree({ f: "x" });
    for (let i = 1; i < levels; i++) node = new Map([["d", node]]);
    return node;
  }

  it("caps nesting at MAX_TREE_DEPTH, in memory and on disk", async () => {
    // chain(n) has n directory levels: the root at depth 0, the deepest at depth n - 1.
    expect(treeIdOfEntries(chain(MAX_TREE_DEPTH + 1)).ok).toBe(true);
    expectRefused(treeIdOfEntries(chain(MAX_TREE_DEPTH + 2)), "tree_too_deep");
    expectRefused(treeIdOfEntries(chain(100_000)), "tree_too_deep");
    const deepOk = join(scratch, "deep-ok");
    const deepBad = join(scratch, "deep-bad");
    await writeTree(deepOk, chain(MAX_TREE_DEPTH + 1));
    await writeTree(deepBad, chain(MAX_TREE_DEPTH + 2));
    expect(await computeTreeId(deepOk)).toEqual(treeIdOfEntries(chain(MAX_TREE_DEPTH + 1)));
    expectRefused(await computeTreeId(deepBad), "tree_too_deep");
  });

  it("counts the depth of a shared Map wherever it is reused", () => {
    const deep = chain(MAX_TREE_DEPTH - 1);
    expect(treeIdOfEntries(new Map<string, TreeNode>([["a", deep]])).ok).toBe(true);
    const reusedDeeper = new Map<string, TreeNode>([
      ["a", deep],
      ["b", new Map([["c", new Map([["d", deep]])]])],
    ]);
    expectRefused(treeIdOfEntries(reusedDeeper), "tree_too_deep", "b/c/d");
  });

  it("refuses a Map that contains itself", () => {
    const loop = new Map<string, TreeNode>([["f", enc.encode("x")]]);
    const inner = new Map<string, TreeNode>([["up", loop]]);
    loop.set("down", inner);
    expectRefused(treeIdOfEntries(loop), "tree_cycle", "down/up");
  });
});
