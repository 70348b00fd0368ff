import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Report } from "../fuzz/report-types.js";
import type { GateResult } from "../fuzz/release/types.js";
import { FailclosedError } from "../kernel/errors.js";
import type { KeyEntry } from "../lane/index.js";
import { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, signEnvelope } from "./dsse.js";
import { releaseStatement } from "./statement.js";

/**
 * The release gate's decision as a signed SLSA VSA. Each report is named by the SHA-256 of its
 * file as it is on disk now (read again here: the gate parsed it, this names its bytes).
 */
export async function attestRelease(
  paths: readonly string[],
  reports: readonly Report[],
  result: GateResult,
  families: readonly string[],
  signer: KeyEntry,
  now: Date,
): Promise<DsseEnvelope> {
  const digests = [];
  for (const path of paths) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot read the report to attest it`, { cause });
    }
    digests.push({ path, sha256: createHash("sha256").update(bytes).digest("hex") });
  }
  const statement = releaseStatement({
    passed: result.kind === "pass",
    closed: result.closed,
    required: result.required,
    reports: digests,
    target: [...new Set(reports.map((report) => report.target))].join(" "),
    families,
    version: reports[0]?.versions.failclosed ?? "unknown",
    time: `${now.toISOString().slice(0, 19)}Z`,
  });
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), "utf8"), signer);
}
