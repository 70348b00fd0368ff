/**
 * What the lane wrote under its evidence directory since the last look (the "files" side channel,
 * F2 searches it for key material). The lane only ever adds entries there (a staging directory
 * renamed into place, then a `.evidence.jws` file beside it), so a look costs one stat when nothing
 * changed and one readdir plus a walk of the new entries when something did: walking the whole
 * history on every probe would grow with the run for nothing. A file rewritten in place inside an
 * entry that existed before is not seen; the top-level files are compared by size and times.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

type Signature = string;

async function signature(path: string): Promise<Signature | undefined> {
  try {
    const s = await lstat(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** Every regular file under `path`, by absolute path (symbolic links are not followed). */
async function collectFiles(path: string, into: Map<string, Uint8Array>): Promise<void> {
  let s;
  try {
    s = await lstat(path);
  } catch {
    return; // Removed between the listing and now (a staging directory): nothing to read.
  }
  if (s.isDirectory()) {
    const names = await readdir(path).catch(() => [] as string[]);
    for (const name of names.sort()) await collectFiles(join(path, name), into);
  } else if (s.isFile()) {
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes !== undefined) into.set(path, new Uint8Array(bytes));
  }
}

export interface EvidenceWatch {
  /** Files created or changed since the previous call (or since the watch began). */
  changes(): Promise<ReadonlyMap<string, Uint8Array>>;
}

export async function watchEvidence(dir: string): Promise<EvidenceWatch> {
  const known = new Map<string, Signature>();
  let dirSignature = await signature(dir);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const sig = await signature(join(dir, name));
    if (sig !== undefined) known.set(name, sig);
  }
  return {
    async changes() {
      const now = await signature(dir);
      const files = new Map<string, Uint8Array>();
      // No entry was added, removed or renamed: the common case for every gate probe.
      if (now === dirSignature) return files;
      dirSignature = now;
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const path = join(dir, name);
        const sig = await signature(path);
        if (sig === undefined || known.get(name) === sig) continue;
        known.set(name, sig);
        await collectFiles(path, files);
      }
      return files;
    },
  };
}
