import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Mode } from "../codec/documents.js";
import { FailclosedError } from "../../kernel/errors.js";
import type { LaneConfig } from "./config.js";
import { isDigestHex } from "./digest/types.js";
import type { SequenceState } from "./sequences.js";

/**
 * The lane's durable record of its clone (crash-safe rehearsal, issue #13; SPEC C4, C6, F3): the
 * clean digest bound to the clone (and to the operator's marker that vouched for it), and whether
 * a rehearsal is under way. "pending" is written, and flushed to disk, before a migration runs:
 * a lane that starts and finds it knows the clone may hold a migration that was never undone,
 * finishes the restore and proves the clone equal to its clean digest, or refuses every
 * rehearsal. "dirty" is a clone the lane could not prove clean; only an operator ends it (by
 * re-sealing the clone's marker after repairing or re-creating the clone, or by removing this
 * record).
 *
 * A file rather than a row in the clone: the restore replaces the clone whole, and the record
 * must survive exactly that.
 */
export type CloneState = "clean" | "pending" | "dirty";

export interface CloneRecord {
  readonly v: 1;
  readonly clone: string;
  /** The marker the clean digest was recorded under; a new marker starts a new binding. */
  readonly marker_id: string;
  readonly clean_digest: string;
  readonly state: CloneState;
  readonly rehearsal_id?: string;
  readonly mode?: Mode;
  /** snapshot_restore: the snapshot to restore from. */
  readonly snapshot?: string;
  /** transactional: the sequences' positions before the migration (nextval ignores ROLLBACK). */
  readonly sequences?: readonly SequenceState[];
  /** dirty: why, for the operator. */
  readonly reason?: string;
}

/**
 * Where the record of a clone lives: beside a PGlite data directory, and beside the evidence
 * directory for a clone on a server (never inside the evidence directory, which holds evidence
 * only).
 */
export function journalPath(config: LaneConfig, identity: string): string {
  if (config.clone.engine === "pglite") return `${config.clone.dataDir}.lane-journal.json`;
  const key = createHash("sha256").update(identity).digest("hex").slice(0, 24);
  return join(`${config.evidenceDir}.lane`, `clone-${key}.json`);
}

/** The record, undefined when there is none; a record that cannot be read is a dirty clone. */
export async function readJournal(path: string): Promise<CloneRecord | undefined | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? undefined : "unreadable";
  }
  try {
    const value = JSON.parse(text) as Partial<CloneRecord>;
    const states: readonly unknown[] = ["clean", "pending", "dirty"];
    if (
      value.v !== 1 ||
      typeof value.clone !== "string" ||
      typeof value.marker_id !== "string" ||
      !isDigestHex(value.clean_digest) ||
      !states.includes(value.state)
    )
      return "unreadable";
    return value as CloneRecord;
  } catch {
    return "unreadable";
  }
}

/** Replaces the record atomically and durably: a temporary file, fsync, rename, fsync the folder. */
export async function writeJournal(path: string, record: CloneRecord): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const file = await open(temporary, "wx", 0o600);
  try {
    await file.writeFile(`${JSON.stringify(record)}\n`, "utf8");
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const directory = await open(folder, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Start-up with a PGlite clone directory that does not exist: allowed only when the lane's record
 * says a snapshot restore is pending and its snapshot is there (a crash between moving the
 * applied clone aside and copying the snapshot back); otherwise CONFIG_INVALID, saying whether
 * the lane ever knew this clone.
 */
export async function refuseMissingClone(dataDir: string, journal: string): Promise<void> {
  const record = await readJournal(journal);
  if (record === undefined)
    throw new FailclosedError("CONFIG_INVALID", `the clone's data directory ${dataDir} does not exist`);
  if (
    record !== "unreadable" &&
    record.state === "pending" &&
    record.mode === "snapshot_restore" &&
    record.snapshot !== undefined &&
    existsSync(record.snapshot)
  )
    return;
  const state = record === "unreadable" ? "unreadable" : record.state;
  throw new FailclosedError(
    "CONFIG_INVALID",
    `the clone's data directory ${dataDir} does not exist, and the lane's record of it (${journal}, ` +
      `${state}) names no snapshot to restore it from: the clone is lost (dirty). Re-create it ` +
      `('failclosed clone create'), then remove that record.`,
  );
}
