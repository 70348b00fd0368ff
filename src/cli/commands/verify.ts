import { SEAL_TYPES } from "../../lane/codec/documents.js";
import { loadKeyring } from "../../lane/seal/keyring.js";
import { isSealType, SEAL_TYPE_NAMES } from "../../lane/seal/roles.js";
import { verifyArtifactSeal, verifySealedDocument } from "../../lane/seal/verify.js";
import { parseFlags, testModeFrom, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { type Io, jwsText, readInput } from "../io.js";

export const VERIFY_USAGE = `Usage: failclosed verify --keyring K [--keyring K2] --typ T [--artifact FILE] JWS-FILE|-

Verifies a seal. Exit 0 valid (a document's payload is printed on stdout), 1 invalid (the reason
code on stderr), 2 usage or unreadable input.
  --typ T          one of: ${SEAL_TYPE_NAMES.join(", ")}
  --artifact FILE  the exact bytes a detached artifact+jws seal covers
  --test-mode      accept keyrings marked test-only (also FAILCLOSED_TEST_MODE=1)`;

export async function verifyCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      keyring: { type: "string", multiple: true },
      typ: { type: "string" },
      artifact: { type: "string" },
      "test-mode": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    VERIFY_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${VERIFY_USAGE}\n`);
    return EXIT.OK;
  }
  const typ = values.typ;
  if (typ === undefined || !isSealType(typ)) throw usageError("--typ must name a seal type", VERIFY_USAGE);
  if (values.keyring === undefined) throw usageError("--keyring is required", VERIFY_USAGE);
  if (positionals.length !== 1) throw usageError("exactly one JWS-FILE (or -) is required", VERIFY_USAGE);
  const kind = SEAL_TYPES[typ];
  if ((kind === null) !== (values.artifact !== undefined)) {
    throw usageError("--artifact goes with --typ artifact+jws, and artifact+jws needs it", VERIFY_USAGE);
  }
  const keyring = await loadKeyring(values.keyring, { testMode: testModeFrom(values["test-mode"], io.env) });
  const jws = jwsText(await readInput(io, positionals[0] ?? "-"));
  if (kind === null) {
    const artifact = await readInput(io, values.artifact ?? "");
    const result = await verifyArtifactSeal(keyring, jws, artifact);
    if (!result.ok) return invalid(io, result.error.code);
    io.stderr(`valid: ${typ} sealed by ${result.value.key.kid} (${result.value.key.role})\n`);
    return EXIT.OK;
  }
  const result = await verifySealedDocument(keyring, kind, jws);
  if (!result.ok) return invalid(io, result.error.code, result.error.codec?.code);
  io.stdout(`${JSON.stringify(result.value.payload)}\n`);
  io.stderr(`valid: ${typ} sealed by ${result.value.key.kid} (${result.value.key.role})\n`);
  return EXIT.OK;
}

function invalid(io: Io, code: string, detail?: string): ExitCode {
  io.stderr(`invalid: ${code}${detail === undefined ? "" : ` (${detail})`}\n`);
  return EXIT.NEGATIVE;
}
