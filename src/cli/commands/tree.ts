import { computeTreeId, verifyTree } from "../../lane/evidence/tree.js";
import { parseFlags, usageError } from "../args.js";
import { checkInputDir } from "../../kernel/directories.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const TREE_USAGE = `Usage: failclosed tree DIR
       failclosed tree --verify ID DIR

Prints DIR's evidence tree id (SPEC E2: the git tree id in SHA-256 object format), or checks it.
Exit 0 ok, 1 refused or mismatched (the reason code on stderr), 2 usage or a DIR that is not
an existing directory.`;

export async function treeCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    { verify: { type: "string" }, help: { type: "boolean", short: "h" } },
    TREE_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${TREE_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("exactly one DIR is required", TREE_USAGE);
  const dir = positionals[0] ?? "";
  // A mistyped path is the user's error (exit 2); what is inside the directory is what is judged.
  await checkInputDir(dir, "tree");
  if (values.verify === undefined) {
    const result = await computeTreeId(dir);
    if (!result.ok) {
      io.stderr(`refused: ${result.error.code} at ${result.error.path}: ${result.error.message}\n`);
      return EXIT.NEGATIVE;
    }
    io.stdout(`${result.value}\n`);
    return EXIT.OK;
  }
  const result = await verifyTree(dir, values.verify);
  if (result.ok) {
    io.stderr(`ok: ${result.value}\n`);
    return EXIT.OK;
  }
  const error = result.error;
  switch (error.code) {
    case "tree_id_malformed":
      throw usageError("--verify needs a tree id of 64 lowercase hex digits", TREE_USAGE);
    case "tree_mismatch":
      io.stderr(`mismatch: tree_mismatch: expected ${error.expected}, found ${error.actual}\n`);
      return EXIT.NEGATIVE;
    default:
      io.stderr(`refused: ${error.code} at ${error.path}: ${error.message}\n`);
      return EXIT.NEGATIVE;
  }
}
