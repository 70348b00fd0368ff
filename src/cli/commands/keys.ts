import { initKeyringDirectory } from "../../lane/seal/keys-init.js";
import { parseFlags, usageError } from "../args.js";
import { ensureOutputDir } from "../../kernel/directories.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const KEYS_USAGE = `Usage: failclosed keys init DIR [--test-only]

Writes a fresh Ed25519 keyring for every role (owner, operator, gate, rehearsal) into DIR:
  <role>.private.jwks.json   one per role, mode 0600: give each holder only its own
  public.jwks.json           every public half, for the components that verify
DIR and its missing parents are made (DIR with mode 0700).
--test-only marks the files so that components load them only in test mode.
Refuses a DIR that is a file and never overwrites existing keyring files (FILE_EXISTS, exit 2).`;

export async function keysCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    { "test-only": { type: "boolean" }, help: { type: "boolean", short: "h" } },
    KEYS_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${KEYS_USAGE}\n`);
    return EXIT.OK;
  }
  const [sub, dir, ...rest] = positionals;
  if (sub !== "init" || dir === undefined || rest.length > 0)
    throw usageError("expected: keys init DIR", KEYS_USAGE);
  // Private keys go here: a new directory is made 0700 (an existing one keeps its mode).
  await ensureOutputDir(dir, "keys init", 0o700);
  const written = await initKeyringDirectory(dir, { testOnly: values["test-only"] === true });
  for (const path of written) io.stdout(`${path}\n`);
  return EXIT.OK;
}
