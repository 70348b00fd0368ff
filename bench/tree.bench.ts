/**
 * Evidence tree ids (SPEC E2) on an evidence-sized directory: ~50 small files, one subdirectory.
 * Two bare limits, because they answer different questions: a naive walk (readdir + readFile,
 * same git hashing, none of the checks) prices the refusals and race defences; plain SHA-256 of
 * the bytes already in memory prices everything, the filesystem included.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  computeTreeId,
  isTreeEntries,
  treeIdOfEntries,
  type TreeEntries,
  type TreeNode,
} from "../src/lane/evidence/tree.js";
import { blobId, treeObjectId, type HashedEntry } from "../src/lane/evidence/tree-hash.js";
import type { BenchPair, BenchSuite } from "./harness.js";

const TOP_FILES = 40;
const DIGEST_FILES = 10;

let scratch: string | undefined;

/** Deterministic filler, so every run hashes the same bytes. */
function filler(seed: number): Uint8Array {
  const size = 100 + ((seed * 7919) % 1900);
  const out = new Uint8Array(size);
  let block = createHash("sha256").update(String(seed)).digest();
  for (let i = 0; i < size; i++) {
    if (i % 32 === 0 && i > 0) block = createHash("sha256").update(block).digest();
    out[i] = block[i % 32] ?? 0;
  }
  return out;
}

function evidenceTree(): TreeEntries {
  const digests = new Map<string, TreeNode>();
  for (let i = 0; i < DIGEST_FILES; i++) digests.set(`relation-${i}.digest`, filler(1000 + i));
  const top = new Map<string, TreeNode>([["digests", digests]]);
  for (let i = 0; i < TOP_FILES; i++) top.set(`file-${i}.txt`, filler(i));
  return top;
}

async function writeTree(dir: string, entries: TreeEntries): Promise<void> {
  await mkdir(dir);
  for (const [name, node] of entries) {
    if (isTreeEntries(node)) await writeTree(join(dir, name), node);
    else await writeFile(join(dir, name), node instanceof Uint8Array ? node : node.bytes);
  }
}

function allBytes(entries: TreeEntries): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const node of entries.values()) {
    if (isTreeEntries(node)) out.push(...allBytes(node));
    else out.push(node instanceof Uint8Array ? node : node.bytes);
  }
  return out;
}

/**
 * The same tree id with none of the checks (follows links, trusts names, no race defences), its
 * reads all in flight at once: the fastest plain way, so the ratio prices the checks alone.
 */
async function naiveTreeId(dir: string): Promise<Buffer> {
  const dirents = await readdir(dir, { withFileTypes: true });
  const entries = await Promise.all(
    dirents.map(async (d): Promise<HashedEntry> => {
      const path = join(dir, d.name);
      if (d.isDirectory()) return { name: d.name, mode: "40000", id: await naiveTreeId(path) };
      return { name: d.name, mode: "100644", id: blobId(await readFile(path)) };
    }),
  );
  return treeObjectId(entries);
}

function bareSha256(files: readonly Uint8Array[]): void {
  for (const bytes of files) createHash("sha256").update(bytes).digest();
}

async function expectOk(id: Promise<{ ok: boolean }> | { ok: boolean }): Promise<void> {
  if (!(await id).ok) throw new Error("bench: the tree was refused");
}

export const suite: BenchSuite = {
  name: "tree",
  async pairs(): Promise<BenchPair[]> {
    const entries = evidenceTree();
    const files = allBytes(entries);
    scratch = await mkdtemp(join(tmpdir(), "failclosed-bench-tree-"));
    const dir = join(scratch, "evidence");
    await writeTree(dir, entries);
    const computed = await computeTreeId(dir);
    if (!computed.ok || computed.value !== (await naiveTreeId(dir)).toString("hex")) {
      throw new Error("bench: computeTreeId and the naive walk disagree");
    }
    const disk = { name: "computeTreeId (50 files on disk)", fn: () => expectOk(computeTreeId(dir)) };
    const bare = { name: "sha256 of the same bytes in memory", fn: () => bareSha256(files) };
    return [
      {
        group: "tree id: checks over a naive walk",
        subject: disk,
        limit: { name: "naive walk: readdir + parallel readFile + git hashing", fn: () => naiveTreeId(dir) },
        opsPerRound: 20,
      },
      { group: "tree id: disk walk over bare hashing", subject: disk, limit: bare, opsPerRound: 20 },
      {
        group: "tree id: in memory over bare hashing",
        subject: { name: "treeIdOfEntries (50 files)", fn: () => expectOk(treeIdOfEntries(entries)) },
        limit: bare,
        opsPerRound: 500,
      },
    ];
  },
  async teardown(): Promise<void> {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
    scratch = undefined;
  },
};
