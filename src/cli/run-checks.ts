import { checkInputDir, checkOutputDir } from "./directories.js";
import { corpusLocation, type CorpusLocation } from "../fuzz/corpus/location.js";
import { FailclosedError } from "../kernel/errors.js";

/**
 * What `run` checks before it prints its seed or fires anything: every path and address the user
 * gave must be usable, so a typo is `failclosed: CODE: message` and exit 2 at once, not a run that
 * silently lacks its corpus, or one that loses every report at its end.
 */
export interface RunPaths {
  /** --corpus as given (undefined: the default location). */
  readonly corpus?: string | undefined;
  /** The report directory the run will write, default or --report-dir. */
  readonly reportDir: string;
  /** --target as given. */
  readonly target?: string | undefined;
}

export async function checkRunPaths(paths: RunPaths): Promise<CorpusLocation> {
  if (paths.target !== undefined) checkTargetUrl(paths.target);
  const corpus = corpusLocation(paths.corpus);
  // A corpus named on the command line and missing is a typo, not an empty corpus.
  if (corpus.explicit) await checkInputDir(corpus.seeds, "--corpus");
  await checkOutputDir(paths.reportDir, "--report-dir");
  return corpus;
}

/** The HTTP target (SPEC T2) speaks plain http://HOST:PORT; anything else is a usage error. */
export function checkTargetUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FailclosedError("USAGE", `--target takes an http://HOST:PORT URL, not ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:")
    throw new FailclosedError("USAGE", `--target takes an http:// URL, not ${url.protocol}//`);
}
