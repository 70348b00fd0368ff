import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../kernel/paths.js";
import type { Versions } from "../types.js";

const require = createRequire(import.meta.url);

function versionOf(manifest: string): string {
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** What a finding records, so a regeneration on other versions can warn that bytes may differ. */
export function currentVersions(): Versions {
  return {
    failclosed: versionOf(join(PACKAGE_ROOT, "package.json")),
    node: process.version,
    fastCheck: versionOf(require.resolve("fast-check/package.json")),
  };
}

/** The fields in which two version records differ, by name: a regeneration warns with them. */
export function versionDifferences(found: Versions, here: Versions): string[] {
  const fields = ["failclosed", "node", "fastCheck", "corpus"] as const satisfies ReadonlyArray<
    keyof Versions
  >;
  return fields
    .filter((field) => found[field] !== here[field])
    .map((field) => `${field} ${found[field] ?? "(none)"} -> ${here[field] ?? "(none)"}`);
}
