import { createHash, randomBytes } from "node:crypto";
import type { RehearsalRequest } from "../../lane/codec/documents.js";
import { encodeDocument } from "../../lane/codec/encode.js";
import { MAX_MIGRATION_BYTES } from "../../lane/codec/limits.js";
import { FailclosedError } from "../../kernel/errors.js";
import { loadLaneConfig } from "../../lane/rehearsal/config.js";
import { openLane } from "../../lane/rehearsal/lane.js";
import { parseFlags, testModeFrom, usageError } from "../args.js";
import { checkOutputDir } from "../../kernel/directories.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { type Io, readInput } from "../io.js";

export const REHEARSE_USAGE = `Usage: failclosed rehearse --config C --migration FILE --mode (transactional|snapshot_restore) --packet-id ID [--rehearsal-id ID]

Rehearses a migration on the clone the lane configuration names (SPEC section 6), writes the
evidence directory and its seal, and prints the verdict, the reasons and the evidence tree id.
Exit 0 PASS, 1 FAIL or REFUSED, 2 usage.
  --test-mode   accept keyrings marked test-only (also FAILCLOSED_TEST_MODE=1)
  --json        print the result document instead of the summary`;

// ignoreBOM keeps a byte-order mark in the text, so the text is exactly the bytes the hash covers.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export async function rehearseCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      config: { type: "string" },
      migration: { type: "string" },
      mode: { type: "string" },
      "packet-id": { type: "string" },
      "rehearsal-id": { type: "string" },
      json: { type: "boolean" },
      "test-mode": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    REHEARSE_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${REHEARSE_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw usageError("rehearse takes no positional arguments", REHEARSE_USAGE);
  const { config: configPath, migration: migrationPath, mode } = values;
  const packetId = values["packet-id"];
  if (configPath === undefined || migrationPath === undefined || packetId === undefined) {
    throw usageError("--config, --migration and --packet-id are required", REHEARSE_USAGE);
  }
  if (mode !== "transactional" && mode !== "snapshot_restore") {
    throw usageError("--mode is transactional or snapshot_restore", REHEARSE_USAGE);
  }
  const bytes = await readInput(io, migrationPath);
  if (bytes.length > MAX_MIGRATION_BYTES) {
    throw new FailclosedError(
      "DOCUMENT_INVALID",
      `${migrationPath}: the migration is ${bytes.length} bytes; a rehearsal takes at most ${MAX_MIGRATION_BYTES} (1 MiB, SPEC R4)`,
    );
  }
  let migration: string;
  try {
    migration = decoder.decode(bytes);
  } catch {
    throw new FailclosedError("DOCUMENT_INVALID", `${migrationPath}: the migration is not valid UTF-8`);
  }
  const request: RehearsalRequest = {
    kind: "rehearsal-request",
    v: 1,
    rehearsal_id: values["rehearsal-id"] ?? `rehearsal-${randomBytes(6).toString("hex")}`,
    packet_id: packetId,
    mode,
    migration,
    artifact_sha256: createHash("sha256").update(bytes).digest("hex"),
  };
  let body: Uint8Array;
  try {
    body = encodeDocument("rehearsal-request", request);
  } catch (cause) {
    throw new FailclosedError("DOCUMENT_INVALID", `the request is not valid (${(cause as Error).message})`, {
      cause,
    });
  }
  const config = loadLaneConfig(configPath);
  // Evidence is written whatever the verdict (C7): a directory that cannot hold it is the
  // configuration's error, told before the clone is touched, not a FAIL (internal_error) after.
  await checkOutputDir(config.evidenceDir, `${configPath}: evidence_dir`);
  const lane = await openLane(config, {
    testMode: testModeFrom(values["test-mode"], io.env),
  });
  try {
    const answer = await lane.rehearse(body);
    const r = answer.result;
    if (values.json === true) io.stdout(`${Buffer.from(answer.bytes).toString("utf8")}\n`);
    else {
      io.stdout(`${r.verdict}${r.reasons.length > 0 ? ` (${r.reasons.join(", ")})` : ""}\n`);
      if (r.evidence_tree !== undefined) io.stdout(`evidence tree ${r.evidence_tree}\n`);
      if (answer.evidenceDir !== undefined) io.stdout(`evidence ${answer.evidenceDir}\n`);
    }
    return r.verdict === "PASS" ? EXIT.OK : EXIT.NEGATIVE;
  } finally {
    await lane.close();
  }
}
