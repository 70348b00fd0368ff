import { writeFile } from "node:fs/promises";
import { attestEvidence } from "../../attest/index.js";
import { loadKeyring } from "../../lane/index.js";
import { FailclosedError } from "../../kernel/errors.js";
import { parseFlags, testModeFrom, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export const ATTEST_USAGE = `Usage: failclosed attest evidence SEAL --keyring K [--kid KID] [--out FILE]

Writes a rehearsal's sealed evidence as an in-toto Statement v1 (test-result predicate: the
verdict, the migration's digest and the three clone digests; subject: the evidence tree id as a
gitTree digest) in a DSSE envelope signed with a rehearsal key (Ed25519). SEAL is the
<rehearsal>.evidence.jws file beside its evidence directory: the seal and the directory are
verified first (E4), nothing unverified is attested.
  --keyring K   keyring files (repeatable): the rehearsal key to sign with and the keys to verify
  --kid KID     the rehearsal key to sign with (default: the keyring's first private one)
  --out FILE    write the envelope there instead of standard output
  --test-mode   accept keyrings marked test-only (also FAILCLOSED_TEST_MODE=1)
Exit 0 written, 1 the seal or the tree does not verify, 2 usage.`;

export async function attestCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      keyring: { type: "string", multiple: true },
      kid: { type: "string" },
      out: { type: "string" },
      "test-mode": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    ATTEST_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${ATTEST_USAGE}\n`);
    return EXIT.OK;
  }
  const [what, seal, ...rest] = positionals;
  if (what !== "evidence" || seal === undefined || rest.length > 0)
    throw usageError("attest evidence takes one evidence seal file", ATTEST_USAGE);
  if (values.keyring === undefined) throw usageError("--keyring is required", ATTEST_USAGE);
  const keyring = await loadKeyring(values.keyring, { testMode: testModeFrom(values["test-mode"], io.env) });
  let envelope;
  try {
    envelope = await attestEvidence(seal, keyring, values.kid);
  } catch (error) {
    if (
      error instanceof FailclosedError &&
      (error.code === "SEAL_INVALID" || error.code === "TREE_INVALID")
    ) {
      io.stderr(`failclosed: ${error.code}: ${error.message}\n`);
      return EXIT.NEGATIVE;
    }
    throw error;
  }
  const text = `${JSON.stringify(envelope)}\n`;
  if (values.out === undefined) io.stdout(text);
  else await writeFile(values.out, text, { mode: 0o644 });
  return EXIT.OK;
}
