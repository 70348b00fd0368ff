import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FailclosedError } from "../../kernel/errors.js";
import { PACKAGE_ROOT } from "../../kernel/paths.js";
import type { ProbeFamily } from "../types.js";

/**
 * Where the families live: dist/probes beside a build, probes/ when running from the TypeScript
 * sources (tests). src never imports probes/ statically; families are found by directory, the way
 * Jazzer.js finds its bug detectors.
 */
export function defaultProbesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join("dist", "src")}`)
    ? join(PACKAGE_ROOT, "dist", "probes")
    : join(PACKAGE_ROOT, "probes");
}

function isFamily(value: unknown): value is ProbeFamily {
  const f = value as Partial<ProbeFamily> | undefined;
  return (
    typeof f === "object" &&
    f !== null &&
    typeof f.id === "string" &&
    typeof f.arbitrary === "function" &&
    typeof f.render === "function" &&
    typeof f.breaks === "function" &&
    (f.role === "attack" || f.role === "control") &&
    (f.operation === "decide" || f.operation === "rehearse")
  );
}

/** Every family exported (as `family` or `families`) by the modules in dir, sorted by id. */
export async function loadFamilies(dir = defaultProbesDir()): Promise<ProbeFamily[]> {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith(".d.ts") && !f.endsWith(".map"))
      .sort();
  } catch (cause) {
    throw new FailclosedError("FILE_UNREADABLE", `cannot read the probe families in ${dir}`, { cause });
  }
  const families: ProbeFamily[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as {
      family?: unknown;
      families?: unknown;
    };
    const exported = [
      module.family,
      ...(Array.isArray(module.families) ? (module.families as unknown[]) : []),
    ];
    for (const candidate of exported) if (isFamily(candidate)) families.push(candidate);
  }
  const ids = new Set<string>();
  for (const f of families) {
    if (ids.has(f.id)) throw new FailclosedError("INTERNAL", `two probe families share the id ${f.id}`);
    ids.add(f.id);
  }
  return families.sort((a, b) => a.id.localeCompare(b.id));
}

/** --only and --skip take family ids; an unknown id is an error that lists the valid ones. */
export function selectFamilies(
  all: readonly ProbeFamily[],
  only?: readonly string[],
  skip?: readonly string[],
): ProbeFamily[] {
  const known = new Set(all.map((f) => f.id));
  for (const id of [...(only ?? []), ...(skip ?? [])]) {
    if (!known.has(id)) {
      throw new FailclosedError(
        "USAGE",
        `unknown probe family ${id}; the families are ${[...known].join(", ")}`,
      );
    }
  }
  return all.filter((f) => (only === undefined || only.includes(f.id)) && !(skip ?? []).includes(f.id));
}
