import { join, resolve } from "node:path";
import { CORPORA_DIR } from "../../kernel/paths.js";

/**
 * The project's own corpus when no --corpus is given: `failclosed/corpus/` in the working
 * directory. Saved failures are the project's regression cases, so they live beside its code
 * (and in its version control), never inside the installed package, where the next `npm ci`
 * would wipe them. It is not hidden and not beside `.failclosed/gate-db` on purpose: a corpus
 * is meant to be committed, a ledger never.
 */
export const PROJECT_CORPUS_DIR = join("failclosed", "corpus");

/**
 * Where a run reads seed packets (`<root>/<family>/seeds/`) and where saved failures are read and
 * written (`<root>/<family>/failures/`). The rule, documented in docs/operating.md:
 * - with `--corpus DIR`, DIR is the whole corpus: its seeds and its saved failures;
 * - without it, the seeds shipped with failclosed are read from the package (never written),
 *   and saved failures live in the project's `failclosed/corpus/`.
 */
export interface CorpusLocation {
  readonly seeds: string;
  readonly failures: string;
  /** Named by --corpus: a run refuses one that does not exist rather than run without it. */
  readonly explicit: boolean;
}

export function corpusLocation(flag: string | undefined, cwd: string = process.cwd()): CorpusLocation {
  if (flag !== undefined) {
    const root = resolve(cwd, flag);
    return { seeds: root, failures: root, explicit: true };
  }
  return { seeds: CORPORA_DIR, failures: resolve(cwd, PROJECT_CORPUS_DIR), explicit: false };
}
