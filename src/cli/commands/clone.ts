import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { systemClock } from "../../kernel/clock.js";
import { createClone } from "../../lane/rehearsal/clone/create.js";
import { loadKeyring, requireSigner } from "../../lane/seal/keyring.js";
import { parseFlags, testModeFrom, usageError } from "../args.js";
import { checkInputDir, checkOutputDir } from "../../kernel/directories.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";
import { answerHookRequest, parseHookRequest } from "./clone-hook.js";

export const CLONE_USAGE = `Usage: failclosed clone create --from (URL|DIR|empty) --as NAME --keyring K [--kid KID] [--into DIR]
       failclosed clone hook --lane-config C

Makes a clone and writes its operator-sealed marker (C1) into the clone, in the table
failclosed_clone.marker, naming the clone's database.
  --from URL     a real server's database: CREATE DATABASE NAME TEMPLATE <that database>
  --from DIR     a PGlite data directory (it must exist), copied to --into/NAME (default ./NAME)
  --from empty   a new, empty PGlite clone at --into/NAME
  --into DIR     where a PGlite clone goes (default .; made with its parents if missing)
  --keyring K    a keyring holding an operator private key (--kid picks one)
  --test-mode    accept keyrings marked test-only (also FAILCLOSED_TEST_MODE=1)

clone hook is the clone hook (run --clone-cmd) for the reference lane configured in C, served
with serve --lane-config C --lane-reload: it reads one request on stdin and answers on stdout
(docs/operating.md, "P07 on your own lane: the clone hook"). describe names the clone's
database; prepare installs the given marker (or none) and production databases, keeping the
clean marker and C's bytes in C.clone-hook-clean.json (0600); restore puts them back. On a
real server it writes with FAILCLOSED_CLONE_ADMIN_URL (default: the clone URL in C).`;

export async function cloneCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      from: { type: "string" },
      as: { type: "string" },
      keyring: { type: "string", multiple: true },
      kid: { type: "string" },
      into: { type: "string" },
      "test-mode": { type: "boolean" },
      "lane-config": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    CLONE_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${CLONE_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length === 1 && positionals[0] === "hook") {
    const config = values["lane-config"];
    if (config === undefined) throw usageError("clone hook needs --lane-config", CLONE_USAGE);
    io.stdout(`${await answerHookRequest(config, parseHookRequest(await io.stdin()), io.env)}\n`);
    return EXIT.OK;
  }
  if (positionals.length !== 1 || positionals[0] !== "create")
    throw usageError("expected: clone create or clone hook", CLONE_USAGE);
  const { from, as: name, keyring: keyrings } = values;
  if (from === undefined || name === undefined || keyrings === undefined) {
    throw usageError("--from, --as and --keyring are required", CLONE_USAGE);
  }
  const keyring = await loadKeyring(keyrings, { testMode: testModeFrom(values["test-mode"], io.env) });
  const operator = requireSigner(keyring, "operator", values.kid);
  const isUrl = /^postgres(ql)?:\/\//.test(from);
  if (isUrl && values.into !== undefined) throw usageError("--into is for PGlite clones only", CLONE_USAGE);
  // Checked here so that a typo is a usage error (exit 2) before any database is touched.
  if (!isUrl && from !== "empty") {
    await checkInputDir(from, "--from");
    // Any other directory would be copied and silently grow a fresh, empty cluster: not a clone.
    if (!existsSync(join(from, "PG_VERSION")))
      throw usageError(`--from ${from} is not a PGlite data directory (it has no PG_VERSION)`, CLONE_USAGE);
  }
  if (!isUrl) await checkOutputDir(values.into ?? ".", "--into");
  const toDir = resolve(values.into ?? ".", name);
  const source = isUrl
    ? ({ engine: "postgres", fromUrl: from } as const)
    : from === "empty"
      ? ({ engine: "pglite", toDir } as const)
      : ({ engine: "pglite", fromDir: from, toDir } as const);
  const created = await createClone(source, name, operator, systemClock.now());
  io.stdout(`${created.location}\n`);
  io.stderr(`clone ${name}: marker written for database ${created.database}\n`);
  return EXIT.OK;
}
