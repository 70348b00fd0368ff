/**
 * Crash-safe rehearsal (issue #13; SPEC C4, C6, F3) on either engine: the rehearsal process is
 * SIGKILLed between the migration and its undoing (crash-child.ts); the next lane to start on the
 * clone finishes the restore, proves the clone equal to its recorded clean digest and goes on, so
 * that nothing the crashed migration left can make a later rehearsal PASS. A clone changed behind
 * the lane's back is refused until an operator re-seals its marker.
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Mode } from "../../../src/lane/codec/documents.js";
import type { LaneConfig } from "../../../src/lane/rehearsal/config.js";
import type { DatabaseDigest } from "../../../src/lane/rehearsal/digest/digest.js";
import { readJournal } from "../../../src/lane/rehearsal/journal.js";
import { CLEAN_MIGRATION, REPO_ROOT, rehearsalRequest, rehearseOnce } from "../../support/lane-fixtures.js";

export interface CrashClone {
  readonly config: LaneConfig;
  /** Where the lane keeps its record of this clone. */
  readonly journal: string;
  readonly configPath: string;
  digest(): Promise<DatabaseDigest>;
  /** Changes the clone behind the lane's back (an INSERT, say). */
  tamper(sql: string): Promise<void>;
  /** Gives the clone a new operator marker (what an operator does after repairing it). */
  reseal(): Promise<void>;
  /** Snapshots of this clone that exist now (directories or databases). */
  leftovers(): Promise<string[]>;
}

const CHILD = join(REPO_ROOT, "test", "lane", "rehearsal", "crash-child.ts");

/**
 * Runs crash-child.ts; resolves with the signal that ended it (SIGKILL expected). With `killWhen`,
 * the child does not kill itself: the parent SIGKILLs it once `killWhen` (polled) says so.
 */
export function crashAt(
  clone: Pick<CrashClone, "configPath">,
  mode: Mode,
  migrationFile: string,
  killWhen?: () => boolean,
): Promise<string | number | null> {
  return new Promise((resolve, reject) => {
    // Node itself runs the child (tsx as a loader), so the signal ends the very process that
    // rehearses, not a wrapper around it.
    const args = [
      CHILD,
      clone.configPath,
      mode,
      migrationFile,
      ...(killWhen === undefined ? [] : ["external"]),
    ];
    const child = spawn(process.execPath, ["--import", "tsx", ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (killWhen !== undefined) {
      const poll = setInterval(() => {
        if (child.exitCode !== null || child.signalCode !== null) clearInterval(poll);
        else if (killWhen()) {
          clearInterval(poll);
          child.kill("SIGKILL");
        }
      }, 1);
    }
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === null && code !== 0) process.stderr.write(stderr);
      resolve(signal ?? code);
    });
  });
}

/** Succeeds only on a clone that still holds CLEAN_MIGRATION's table: on a clean clone it FAILs. */
export const NEEDS_LEFTOVER =
  "INSERT INTO rehearsed_orders (id, label) VALUES (99, 'only on a dirty clone');\n";
const MOVES_SEQUENCE = `SELECT pg_catalog.nextval('ticket_seq');\nSELECT pg_catalog.setval('ticket_seq', 7777);\n${CLEAN_MIGRATION}`;

export function crashSuite(make: (name: string) => Promise<CrashClone>, dir: () => string): void {
  describe("the rehearsal process killed between the migration and its undoing", () => {
    it("snapshot_restore, killed after COMMIT and before the restore: the next lane restores, proves the clone clean, and a migration that needs the leftover FAILs", async () => {
      const clone = await make("crash-snapshot");
      const before = await clone.digest();
      const file = join(dir(), "crash-snapshot.sql");
      await writeFile(file, CLEAN_MIGRATION);
      expect(await crashAt(clone, "snapshot_restore", file)).toBe("SIGKILL");
      // The crash left the clone migrated and the record pending, naming its snapshot.
      expect((await clone.digest()).digest).not.toBe(before.digest);
      const record = await readJournal(clone.journal);
      expect(record).toMatchObject({
        state: "pending",
        mode: "snapshot_restore",
        clean_digest: before.digest,
      });
      expect((await clone.leftovers()).length).toBe(1);

      const dirtyOnly = await rehearseOnce(
        clone.config,
        rehearsalRequest(NEEDS_LEFTOVER, "snapshot_restore"),
      );
      expect(dirtyOnly.result).toMatchObject({ verdict: "FAIL", before: before.digest });
      expect((await clone.digest()).digest).toBe(before.digest);
      expect(await readJournal(clone.journal)).toMatchObject({ state: "clean", clean_digest: before.digest });
      expect(await clone.leftovers()).toEqual([]);
      const clean = await rehearseOnce(clone.config, rehearsalRequest(CLEAN_MIGRATION, "snapshot_restore"));
      expect(clean.result).toMatchObject({
        verdict: "PASS",
        before: before.digest,
        after_rollback: before.digest,
      });
    }, 120_000);

    it("transactional, killed inside the open transaction after nextval/setval: the next lane puts the sequences back and proves the clone clean", async () => {
      const clone = await make("crash-transactional");
      const before = await clone.digest();
      const file = join(dir(), "crash-transactional.sql");
      await writeFile(file, MOVES_SEQUENCE);
      expect(await crashAt(clone, "transactional", file)).toBe("SIGKILL");
      expect(await readJournal(clone.journal)).toMatchObject({ state: "pending", mode: "transactional" });
      const next = await rehearseOnce(clone.config, rehearsalRequest(CLEAN_MIGRATION, "transactional"));
      expect(next.result).toMatchObject({
        verdict: "PASS",
        before: before.digest,
        after_rollback: before.digest,
      });
      expect((await clone.digest()).digest).toBe(before.digest);
    }, 120_000);
  });

  describe("the clean digest is bound to the clone", () => {
    let clone: CrashClone;
    beforeAll(async () => {
      clone = await make("bound");
    });

    it("a clone changed behind the lane's back after a PASS is REFUSED (refused_by_guard, not_restored) and stays refused", async () => {
      const first = await rehearseOnce(clone.config, rehearsalRequest(CLEAN_MIGRATION, "transactional"));
      expect(first.result.verdict).toBe("PASS");
      await clone.tamper("INSERT INTO accounts (id, label) VALUES (3, 'slipped in');");
      for (const mode of ["transactional", "snapshot_restore"] as const) {
        const refused = await rehearseOnce(clone.config, rehearsalRequest(CLEAN_MIGRATION, mode));
        expect(refused.result).toMatchObject({
          verdict: "REFUSED",
          reasons: ["refused_by_guard", "not_restored"],
        });
      }
      expect(await readJournal(clone.journal)).toMatchObject({ state: "dirty" });
    });

    it("after the operator re-seals the clone's marker, the same clone passes again (positive control)", async () => {
      await clone.reseal();
      const again = await rehearseOnce(clone.config, rehearsalRequest(CLEAN_MIGRATION, "transactional"));
      expect(again.result).toMatchObject({ verdict: "PASS", reasons: [] });
      expect(await readJournal(clone.journal)).toMatchObject({
        state: "clean",
        clean_digest: again.result.before,
      });
    });
  });
}
