/**
 * Issue #13: a crash in the middle of a PGlite directory restore. The restore (backend.ts) has
 * three steps: move the applied clone aside to `.applied-*`, copy the snapshot to the clone's
 * path, remove `.applied-*`. Each state a crash can leave between or inside those steps is built
 * here from a real crash between COMMIT and the restore (crash-child.ts), and the next lane must
 * finish the restore, prove the clone equal to its clean digest and remove the leftovers; where
 * that is impossible (the snapshot is gone) it refuses with a clear reason. A migration that only
 * succeeds on the migrated clone shows that no rehearsal ever runs on a half-restored one: it
 * FAILs. Before the fix, a crash after step 1 left no clone directory and the lane refused to
 * start (CONFIG_INVALID) before its recovery could run.
 */
import { cp, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFailclosedError } from "../../../src/kernel/errors.js";
import { cloneBackend } from "../../../src/lane/rehearsal/clone/backend.js";
import type { LaneConfig } from "../../../src/lane/rehearsal/config.js";
import { type CloneRecord, journalPath, readJournal } from "../../../src/lane/rehearsal/journal.js";
import {
  CLEAN_MIGRATION,
  CLONE_SETUP_SQL,
  digestPgliteDir,
  makePgliteClone,
  openTestLane,
  pgliteLaneConfig,
  rehearsalRequest,
  rehearseOnce,
  tempRoot,
  writeLaneConfig,
} from "../../support/lane-fixtures.js";
import { crashAt, NEEDS_LEFTOVER } from "./crash-suite.js";

let root: Awaited<ReturnType<typeof tempRoot>>;
let template: string;
beforeAll(async () => {
  root = await tempRoot("fc-restore-crash-");
  template = await makePgliteClone(join(root.dir, "template"), {
    setupSql: CLONE_SETUP_SQL,
    name: "template",
  });
}, 120_000);
afterAll(async () => {
  await root?.remove();
});

interface Crashed {
  readonly dir: string;
  readonly config: LaneConfig;
  readonly journal: string;
  readonly clean: string;
  readonly snapshot: string;
}

/** A clone whose rehearsing process was SIGKILLed after COMMIT, before the restore's first step. */
async function crashedBeforeRestore(name: string): Promise<Crashed> {
  const dir = await makePgliteClone(join(root.dir, name), { fromDir: template, name });
  const { path, config } = await writeLaneConfig(
    join(root.dir, `${name}.lane.json`),
    pgliteLaneConfig(dir, join(root.dir, `${name}-evidence`)),
  );
  const clean = (await digestPgliteDir(dir)).digest;
  const file = join(root.dir, `${name}.sql`);
  await writeFile(file, CLEAN_MIGRATION);
  expect(await crashAt({ configPath: path }, "snapshot_restore", file)).toBe("SIGKILL");
  const journal = journalPath(config, cloneBackend(config).identity);
  const record = (await readJournal(journal)) as CloneRecord;
  expect(record).toMatchObject({ state: "pending", mode: "snapshot_restore", clean_digest: clean });
  return { dir, config, journal, clean, snapshot: record.snapshot as string };
}

async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dirname(dir))).filter(
    (n) => n.startsWith(`${basename(dir)}.snapshot-`) || n.startsWith(`${basename(dir)}.applied-`),
  );
}

/** Copies the first half (by name) of `from`'s entries to `to`: a copy or removal cut short. */
async function half(from: string, to: string | undefined): Promise<void> {
  const names = (await readdir(from)).sort();
  for (const name of names.slice(0, Math.ceil(names.length / 2))) {
    if (to === undefined) await rm(join(from, name), { recursive: true, force: true });
    else await cp(join(from, name), join(to, name), { recursive: true });
  }
}

/** Every state the restore's steps can leave, made from the state before step 1. */
const STATES: ReadonlyArray<readonly [string, (c: Crashed, aside: string) => Promise<void>]> = [
  ["before step 1 (clone migrated, snapshot whole)", () => Promise.resolve()],
  ["after step 1 (no clone directory, the applied clone aside)", (c, aside) => rename(c.dir, aside)],
  [
    "inside step 2 (a partial copy of the snapshot at the clone's path)",
    async (c, aside) => {
      await rename(c.dir, aside);
      await mkdir(c.dir);
      await half(c.snapshot, c.dir);
    },
  ],
  [
    "after step 2 (the clone copied back, the applied clone still aside)",
    async (c, aside) => {
      await rename(c.dir, aside);
      await cp(c.snapshot, c.dir, { recursive: true });
    },
  ],
  [
    "inside step 3 (the applied clone partly removed)",
    async (c, aside) => {
      await rename(c.dir, aside);
      await cp(c.snapshot, c.dir, { recursive: true });
      await half(aside, undefined);
    },
  ],
  [
    "after step 3 (restored, the record still pending, the snapshot not yet discarded)",
    async (c, aside) => {
      await rename(c.dir, aside);
      await cp(c.snapshot, c.dir, { recursive: true });
      await rm(aside, { recursive: true });
    },
  ],
];

describe("a PGlite restore interrupted at each of its steps", () => {
  STATES.forEach(([state, make], index) => {
    it(`${state}: the next lane finishes the restore, proves the clone clean, removes the leftovers; nothing passes on the half-restored clone`, async () => {
      const crashed = await crashedBeforeRestore(`state-${index}`);
      await make(crashed, `${crashed.dir}.applied-crashed${index}`);
      const dirtyOnly = await rehearseOnce(
        crashed.config,
        rehearsalRequest(NEEDS_LEFTOVER, "snapshot_restore"),
      );
      expect(dirtyOnly.result).toMatchObject({ verdict: "FAIL", before: crashed.clean });
      expect(dirtyOnly.evidenceDir).toBeDefined();
      expect((await digestPgliteDir(crashed.dir)).digest).toBe(crashed.clean);
      expect(await readJournal(crashed.journal)).toMatchObject({
        state: "clean",
        clean_digest: crashed.clean,
      });
      expect(await leftovers(crashed.dir)).toEqual([]);
      const clean = await rehearseOnce(crashed.config, rehearsalRequest(CLEAN_MIGRATION, "snapshot_restore"));
      expect(clean.result).toMatchObject({
        verdict: "PASS",
        before: crashed.clean,
        after_rollback: crashed.clean,
      });
    }, 180_000);
  });

  it("a snapshot copy cut short before the record turned pending is removed at start-up (must stay quiet: PASS)", async () => {
    const dir = await makePgliteClone(join(root.dir, "partial-snapshot"), {
      fromDir: template,
      name: "partial",
    });
    const { config } = await writeLaneConfig(
      join(root.dir, "partial-snapshot.lane.json"),
      pgliteLaneConfig(dir, join(root.dir, "partial-snapshot-evidence")),
    );
    await mkdir(`${dir}.snapshot-cutshort`);
    await half(dir, `${dir}.snapshot-cutshort`);
    const answer = await rehearseOnce(config, rehearsalRequest(CLEAN_MIGRATION, "snapshot_restore"));
    expect(answer.result.verdict).toBe("PASS");
    expect(await leftovers(dir)).toEqual([]);
  }, 120_000);

  it("must fire: the snapshot gone after step 1: the lane refuses to start, saying the clone is lost; nothing is created at its path", async () => {
    const crashed = await crashedBeforeRestore("lost");
    await rename(crashed.dir, `${crashed.dir}.applied-lost`);
    await rm(crashed.snapshot, { recursive: true });
    const error = await openTestLane(crashed.config).then(
      async (lane) => {
        await lane.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isFailclosedError(error) && error.code).toBe("CONFIG_INVALID");
    expect(String((error as Error).message)).toContain("the clone is lost (dirty)");
    expect(await readdir(dirname(crashed.dir))).not.toContain(basename(crashed.dir));
  }, 120_000);

  it("must fire: the snapshot gone before step 1: REFUSED (refused_by_guard, not_restored) with its evidence, and the record turns dirty", async () => {
    const crashed = await crashedBeforeRestore("no-snapshot");
    await rm(crashed.snapshot, { recursive: true });
    for (const migration of [NEEDS_LEFTOVER, CLEAN_MIGRATION]) {
      const answer = await rehearseOnce(crashed.config, rehearsalRequest(migration, "snapshot_restore"));
      expect(answer.result).toMatchObject({
        verdict: "REFUSED",
        reasons: ["refused_by_guard", "not_restored"],
      });
      expect(answer.evidenceDir).toBeDefined();
    }
    expect(await readJournal(crashed.journal)).toMatchObject({ state: "dirty" });
  }, 120_000);

  it("the rehearsing process SIGKILLed for real once the restore has moved the clone aside: the next lane recovers", async () => {
    const dir = await makePgliteClone(join(root.dir, "killed"), { fromDir: template, name: "killed" });
    const { path, config } = await writeLaneConfig(
      join(root.dir, "killed.lane.json"),
      pgliteLaneConfig(dir, join(root.dir, "killed-evidence")),
    );
    const clean = (await digestPgliteDir(dir)).digest;
    const file = join(root.dir, "killed.sql");
    await writeFile(file, CLEAN_MIGRATION);
    const { readdirSync } = await import("node:fs");
    const signal = await crashAt({ configPath: path }, "snapshot_restore", file, () =>
      readdirSync(dirname(dir)).some((n) => n.startsWith(`${basename(dir)}.applied-`)),
    );
    expect(signal).toBe("SIGKILL");
    const dirtyOnly = await rehearseOnce(config, rehearsalRequest(NEEDS_LEFTOVER, "snapshot_restore"));
    expect(dirtyOnly.result).toMatchObject({ verdict: "FAIL", before: clean });
    expect((await digestPgliteDir(dir)).digest).toBe(clean);
    expect(await leftovers(dir)).toEqual([]);
  }, 180_000);
});
