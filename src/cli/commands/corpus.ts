import { saveFailure } from "../../fuzz/corpus/corpus.js";
import { loadFamilies } from "../../fuzz/engine/families.js";
import { readFindingFile } from "../../fuzz/report/index.js";
import { FailclosedError } from "../../kernel/errors.js";
import { corpusLocation } from "../../fuzz/corpus/location.js";
import { assertNever } from "../../kernel/result.js";
import { parseFlags, usageError } from "../args.js";
import { checkOutputDir } from "../../kernel/directories.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const CORPUS_USAGE = `Usage: failclosed corpus add FINDING.json... [--corpus DIR]

Saves findings as DIR/<family>/failures/<id>.json, written atomically after the finding is
validated; every later run with the same corpus replays them before generating anything.
DIR defaults to ./failclosed/corpus in the working directory (the project's corpus, never inside
the installed package) and is made if missing. A different file already saved under the same id
is refused (FILE_EXISTS).
Exit 0 when every finding is saved (or already was), 2 on a bad finding or bad usage.`;

export async function corpusCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    { corpus: { type: "string" }, help: { type: "boolean", short: "h" } },
    CORPUS_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${CORPUS_USAGE}\n`);
    return EXIT.OK;
  }
  const [subcommand, ...paths] = positionals;
  if (subcommand !== "add") throw usageError("the corpus subcommand is add", CORPUS_USAGE);
  if (paths.length === 0) throw usageError("corpus add needs at least one FINDING.json", CORPUS_USAGE);
  const root = corpusLocation(values.corpus).failures;
  await checkOutputDir(root, "--corpus");
  const known = new Set((await loadFamilies()).map((f) => f.id));
  // Every file is read and checked before the first is written: a bad one saves nothing.
  const findings = [];
  for (const path of paths) {
    const finding = await readFindingFile(path);
    if (!known.has(finding.family))
      throw new FailclosedError("DOCUMENT_INVALID", `${path}: no probe family ${finding.family} here`);
    findings.push(finding);
  }
  for (const finding of findings) {
    const outcome = await saveFailure(finding, root);
    switch (outcome.kind) {
      case "saved":
        io.stdout(`saved ${finding.id} to ${outcome.path}\n`);
        break;
      case "already-saved":
        io.stdout(`already saved: ${outcome.path}\n`);
        break;
      default:
        return assertNever(outcome, "save outcome");
    }
  }
  return EXIT.OK;
}
