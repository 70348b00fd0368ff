import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package root, found by walking up from this module to the package.json named failclosed, so
 * the same code finds schemas/ and corpora/ whether it runs from src (vitest, tsx) or dist.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "schemas"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("failclosed: cannot find the package root (schemas/ missing)");
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
export const SCHEMA_DIR = join(PACKAGE_ROOT, "schemas");
export const CORPORA_DIR = join(PACKAGE_ROOT, "corpora");
