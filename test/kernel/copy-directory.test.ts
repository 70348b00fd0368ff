import { execFileSync } from "node:child_process";
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyDirectory } from "../../src/kernel/copy-directory.js";

/** Every entry under `root`: kind, mode and content (files) or target (links), by relative path. */
async function describeTree(root: string, relative = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(join(root, relative))).sort()) {
    const path = join(relative, name);
    const info = await lstat(join(root, path));
    const mode = (info.mode & 0o7777).toString(8);
    if (info.isSymbolicLink()) out[path] = `link -> ${await readlink(join(root, path))}`;
    else if (info.isDirectory()) {
      out[path] = `dir ${mode}`;
      for (const [inner, what] of Object.entries(await describeTree(root, path))) out[inner] = what;
    } else out[path] = `file ${mode} ${(await readFile(join(root, path))).toString("hex")}`;
  }
  return out;
}

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "fc-copy-"));
});
afterEach(async () => {
  await chmod(base, 0o700);
  await rm(base, { recursive: true, force: true });
});

const name = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/).filter((n) => n !== "." && n !== "..");
const fileMode = fc.constantFrom(0o600, 0o644, 0o400, 0o755);
const dirMode = fc.constantFrom(0o700, 0o755, 0o750);

interface Spec {
  readonly files: ReadonlyArray<readonly [string, Uint8Array, number]>;
  readonly dirs: ReadonlyArray<
    readonly [string, number, ReadonlyArray<readonly [string, Uint8Array, number]>]
  >;
}
const files = fc.uniqueArray(fc.tuple(name, fc.uint8Array({ maxLength: 300 }), fileMode), {
  selector: ([n]) => n,
  maxLength: 6,
});
const spec: fc.Arbitrary<Spec> = fc
  .record({
    files,
    dirs: fc.uniqueArray(fc.tuple(name, dirMode, files), { selector: ([n]) => n, maxLength: 4 }),
  })
  .filter(({ files: f, dirs }) => !dirs.some(([d]) => f.some(([n]) => n === d)));

async function build(root: string, tree: Spec): Promise<void> {
  await mkdir(root);
  for (const [file, bytes, mode] of tree.files) {
    await writeFile(join(root, file), bytes);
    await chmod(join(root, file), mode);
  }
  for (const [dir, mode, inner] of tree.dirs) {
    await mkdir(join(root, dir));
    for (const [file, bytes, fmode] of inner) {
      await writeFile(join(root, dir, file), bytes);
      await chmod(join(root, dir, file), fmode);
    }
    await chmod(join(root, dir), mode);
  }
}

describe("copyDirectory", () => {
  it("copies any tree of files and directories exactly: bytes and modes", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(spec, async (tree) => {
        const from = join(base, `from-${n}`);
        const to = join(base, `to-${n++}`);
        await build(from, tree);
        await copyDirectory(from, to, 3);
        expect(await describeTree(to)).toEqual(await describeTree(from));
        expect((await lstat(to)).mode & 0o7777).toBe((await lstat(from)).mode & 0o7777);
      }),
      { numRuns: 40 },
    );
  });

  it("keeps symbolic links as links, and fills a read-only directory", async () => {
    const from = join(base, "from");
    await mkdir(join(from, "ro"), { recursive: true });
    await writeFile(join(from, "ro", "inside"), "x");
    await chmod(join(from, "ro"), 0o500);
    await symlink("ro/inside", join(from, "link"));
    await copyDirectory(from, join(base, "to"));
    expect(await describeTree(join(base, "to"))).toEqual(await describeTree(from));
    expect(await readlink(join(base, "to", "link"))).toBe("ro/inside");
    await chmod(join(from, "ro"), 0o700);
    await chmod(join(base, "to", "ro"), 0o700);
  });

  it("never merges into an existing destination", async () => {
    const from = join(base, "from");
    await build(from, { files: [["a", new Uint8Array([1]), 0o600]], dirs: [] });
    const to = join(base, "to");
    await mkdir(to);
    await writeFile(join(to, "keep"), "mine");
    await expect(copyDirectory(from, to)).rejects.toMatchObject({ code: "EEXIST" });
    expect(await readdir(to)).toEqual(["keep"]);
  });

  it("refuses a source that is not a directory, and special files inside one", async () => {
    await writeFile(join(base, "plain"), "x");
    await expect(copyDirectory(join(base, "plain"), join(base, "to"))).rejects.toMatchObject({
      code: "FILE_UNREADABLE",
    });
    const from = join(base, "from");
    await mkdir(from);
    execFileSync("mkfifo", [join(from, "pipe")]);
    const refused = await copyDirectory(from, join(base, "to2")).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: "FILE_UNREADABLE" });
    expect(String(refused)).toContain("not a file, directory or link");
  });
});
