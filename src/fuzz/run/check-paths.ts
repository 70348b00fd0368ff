import { checkInputDir, checkOutputDir } from "../../kernel/directories.js";
import { corpusLocation, type CorpusLocation } from "../corpus/location.js";

/**
 * What a run checks before it prints its seed or fires anything: every path the user gave must be
 * usable, so a typo is `failclosed: CODE: message` and exit 2 at once, not a run that silently
 * lacks its corpus, or one that loses every report at its end. (The target is checked by checkSpec.)
 */
export interface RunPaths {
  /** --corpus as given (undefined: the default location). */
  readonly corpus?: string | undefined;
  /** The report directory the run will write, default or --report-dir. */
  readonly reportDir: string;
}

export async function checkRunPaths(paths: RunPaths): Promise<CorpusLocation> {
  const corpus = await checkedCorpus(paths.corpus);
  await checkOutputDir(paths.reportDir, "--report-dir");
  return corpus;
}

/** The corpus for a run or a replay: one named with --corpus must exist. */
export async function checkedCorpus(flag: string | undefined): Promise<CorpusLocation> {
  const corpus = corpusLocation(flag);
  // A corpus named on the command line and missing is a typo, not an empty corpus.
  if (corpus.explicit) await checkInputDir(corpus.seeds, "--corpus");
  return corpus;
}
