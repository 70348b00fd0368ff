/**
 * Git is the oracle for E2: random trees must get the very id `git add -A && git write-tree`
 * gives them. The bulk check writes 1,000 trees side by side and asks git once (spawning git per
 * tree would take minutes on two cores); the small fc.assert asks git per case so that a
 * mismatch shrinks to a minimal tree.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeTreeId, treeIdOfEntries, type TreeEntries } from "../../../src/lane/evidence/tree.js";

const ALPHABET = [..."ABCXYZabcxyz0189._-"];
const RESERVED = new Set([".git", ".gitattributes", ".gitignore", ".gitmodules"]);

/** A generated file keeps its full permission bits so git's owner-execute rule is what is tested. */
interface GenFile {
  readonly bytes: Uint8Array;
  readonly perm: number;
}
interface GenDir {
  readonly entries: ReadonlyArray<readonly [string, GenFile | GenDir]>;
}

const randomName = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 10 });

// Short stems with suffixes that sort just below and above "/" (".", "-" vs "0", "_"), so a
// directory and a file it prefixes meet often: the case git's "/" sort rule exists for.
const collidingName = fc
  .tuple(fc.constantFrom("a", "b", "ab"), fc.constantFrom("", "-", ".", ".x", "0", "_", "-1"))
  .map(([stem, suffix]) => stem + suffix);

const nameArb = fc
  .oneof({ weight: 1, arbitrary: randomName }, { weight: 2, arbitrary: collidingName })
  .filter((n) => n !== "." && n !== ".." && !RESERVED.has(n.replace(/\.+$/, "").toLowerCase()));

const fileArb: fc.Arbitrary<GenFile> = fc.record({
  bytes: fc.oneof(
    fc.constant(new Uint8Array()),
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom(...["\r\n", "a\nb\r\n", "\0"].map((s) => new TextEncoder().encode(s))),
  ),
  // Owner read always on, so git (and the walk) can read it; every other bit is random.
  perm: fc.integer({ min: 0, max: 0o777 }).map((p) => p | 0o400),
});

function dirArb(levels: number): fc.Arbitrary<GenDir> {
  const node: fc.Arbitrary<GenFile | GenDir> =
    levels <= 1
      ? fileArb
      : fc.oneof({ weight: 2, arbitrary: fileArb }, { weight: 1, arbitrary: dirArb(levels - 1) });
  // Names unique without regard to case, so the trees could also be written on a
  // case-insensitive filesystem. At least one entry: git cannot record an empty directory.
  return fc
    .uniqueArray(fc.tuple(nameArb, node), { minLength: 1, maxLength: 5, selector: ([n]) => n.toLowerCase() })
    .map((entries) => ({ entries }));
}

const treeArb = dirArb(4);

function isDir(node: GenFile | GenDir): node is GenDir {
  return "entries" in node;
}

function toEntries(dir: GenDir): TreeEntries {
  return new Map(
    dir.entries.map(([name, node]) => [
      name,
      isDir(node) ? toEntries(node) : { bytes: node.bytes, executable: (node.perm & 0o100) !== 0 },
    ]),
  );
}

async function writeGen(path: string, dir: GenDir): Promise<void> {
  await mkdir(path);
  for (const [name, node] of dir.entries) {
    const child = join(path, name);
    if (isDir(node)) {
      await writeGen(child, node);
    } else {
      await writeFile(child, node.bytes);
      await chmod(child, node.perm);
    }
  }
}

// ---------- git, isolated from user and system configuration ----------

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "failclosed-tree-git-"));
  await mkdir(join(scratch, "home"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  const home = join(scratch, "home");
  return { ...env, GIT_CONFIG_NOSYSTEM: "1", HOME: home, XDG_CONFIG_HOME: home };
}

/** Runs git on a work tree whose repository lives beside it, so the tree itself holds no .git. */
function git(gitDir: string, workTree: string, ...args: string[]): string {
  const config = ["core.filemode=true", "core.autocrlf=false", "core.looseCompression=0"];
  return execFileSync(
    "git",
    [...config.flatMap((c) => ["-c", c]), `--git-dir=${gitDir}`, `--work-tree=${workTree}`, ...args],
    { env: gitEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  ).trim();
}

function gitWriteTree(gitDir: string, workTree: string): string {
  git(gitDir, workTree, "init", "-q", "--object-format=sha256", "--template=");
  git(gitDir, workTree, "add", "-A");
  return git(gitDir, workTree, "write-tree");
}

/** `git ls-tree` lines are "<mode> <type> <id>\t<name>". */
function lsTree(gitDir: string, workTree: string, tree: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const line of git(gitDir, workTree, "ls-tree", tree).split("\n")) {
    const [meta, name] = line.split("\t");
    const id = meta?.split(" ")[2];
    if (name !== undefined && id !== undefined) ids.set(name, id);
  }
  return ids;
}

// ---------- the properties ----------

describe("tree ids equal git's for random trees", () => {
  it("1,000 trees in one git run", async () => {
    const seed = Date.now() ^ (Math.random() * 0x7fffffff);
    const trees = fc.sample(treeArb, { numRuns: 1000, seed });
    const work = join(scratch, "bulk");
    await mkdir(work);
    const names = trees.map((_, i) => `t${String(i).padStart(4, "0")}`);
    for (const [i, tree] of trees.entries()) await writeGen(join(work, names[i] ?? ""), tree);

    const gitDir = join(scratch, "bulk.git");
    const root = gitWriteTree(gitDir, work);
    const gitIds = lsTree(gitDir, work, root);
    expect(gitIds.size).toBe(trees.length);

    const failures: string[] = [];
    for (const [i, tree] of trees.entries()) {
      const name = names[i] ?? "";
      const disk = await computeTreeId(join(work, name));
      const memory = treeIdOfEntries(toEntries(tree));
      const want = gitIds.get(name);
      if (!disk.ok || !memory.ok || disk.value !== want || memory.value !== want) {
        failures.push(`${name}: ${JSON.stringify({ disk, memory, want })}`);
      }
    }
    // The seed reproduces the batch: fc.sample(treeArb, { numRuns: 1000, seed }).
    expect(failures.length, `seed ${seed}; failing trees:\n${failures.slice(0, 5).join("\n")}`).toBe(0);
    expect(await computeTreeId(work)).toEqual({ ok: true, value: root });
  });

  it("per case, so that a mismatch shrinks to a minimal tree", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(dirArb(3), async (tree) => {
        const work = join(scratch, `case-${n++}`);
        await writeGen(work, tree);
        try {
          const want = gitWriteTree(`${work}.git`, work);
          expect(await computeTreeId(work)).toEqual({ ok: true, value: want });
          expect(treeIdOfEntries(toEntries(tree))).toEqual({ ok: true, value: want });
        } finally {
          await rm(work, { recursive: true, force: true });
          await rm(`${work}.git`, { recursive: true, force: true });
        }
      }),
      { numRuns: 30 },
    );
  });
});
