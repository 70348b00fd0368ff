import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { PendingFile } from "./canary.js";

/**
 * Writes each file to a temporary name in its own directory, then renames it into place: a reader
 * (the gate, a CI upload, an interrupted run) sees the old file or the new one, never half of one.
 */
export async function writeAtomically(dir: string, files: readonly PendingFile[]): Promise<void> {
  for (const file of files) {
    const target = join(dir, file.name);
    const folder = dirname(target);
    await mkdir(folder, { recursive: true });
    const temp = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await writeFile(temp, file.text, { flag: "wx", mode: 0o644 });
      await rename(temp, target);
    } catch (cause) {
      await rm(temp, { force: true });
      throw cause;
    }
  }
}
