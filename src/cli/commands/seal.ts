import { SEAL_TYPES } from "../../lane/codec/documents.js";
import { loadKeyring, requireSigner } from "../../lane/seal/keyring.js";
import { SEALING_ROLES, isSealType, SEAL_TYPE_NAMES } from "../../lane/seal/roles.js";
import { sealArtifact, sealDocumentBytes } from "../../lane/seal/sign.js";
import { FailclosedError } from "../../kernel/errors.js";
import { parseFlags, testModeFrom, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { type Io, readInput } from "../io.js";

export const SEAL_USAGE = `Usage: failclosed seal --keyring K [--keyring K2] --kid KID --typ T [--detached] FILE|-

Seals FILE's exact bytes and prints the compact JWS.
  --typ T       one of: ${SEAL_TYPE_NAMES.join(", ")}
                a document type checks FILE with the strict codec first and refuses an invalid one
  --detached    for artifact+jws (S6): prints header..signature over the raw bytes
  --test-mode   accept keyrings marked test-only and published example keys (also FAILCLOSED_TEST_MODE=1)`;

export async function sealCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      keyring: { type: "string", multiple: true },
      kid: { type: "string" },
      typ: { type: "string" },
      detached: { type: "boolean" },
      "test-mode": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    SEAL_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${SEAL_USAGE}\n`);
    return EXIT.OK;
  }
  const typ = values.typ;
  if (typ === undefined || !isSealType(typ)) throw usageError("--typ must name a seal type", SEAL_USAGE);
  if (values.kid === undefined) throw usageError("--kid is required", SEAL_USAGE);
  if (values.keyring === undefined) throw usageError("--keyring is required", SEAL_USAGE);
  if (positionals.length !== 1) throw usageError("exactly one FILE (or -) is required", SEAL_USAGE);
  const detached = values.detached === true;
  if (detached !== (typ === "artifact+jws")) {
    throw usageError(
      "--detached goes with --typ artifact+jws, and artifact+jws is always detached",
      SEAL_USAGE,
    );
  }
  const keyring = await loadKeyring(values.keyring, { testMode: testModeFrom(values["test-mode"], io.env) });
  const key = keyring.get(values.kid);
  if (key === undefined)
    throw new FailclosedError("KEY_MISSING", `no key with kid ${values.kid} in the keyring`);
  if (!SEALING_ROLES[typ].includes(key.role)) {
    throw new FailclosedError(
      "KEY_WRONG_ROLE",
      `key ${key.kid} has role ${key.role}; ${typ} is sealed by ${SEALING_ROLES[typ].join(" or ")}`,
    );
  }
  requireSigner(keyring, key.role, key.kid);
  const bytes = await readInput(io, positionals[0] ?? "-");
  const kind = SEAL_TYPES[typ];
  const jws = kind === null ? await sealArtifact(key, bytes) : await sealDocumentBytes(key, kind, bytes);
  io.stdout(`${jws}\n`);
  return EXIT.OK;
}
