/**
 * Spare PGlite worker threads (issue #17, pglite-worker-pool.ts): a clean close starts a thread
 * (PGlite imported) for the next open, which boots in it instead of a new thread starting then.
 * A thread opens one database in its life (never reused: a second open is refused), the next
 * open reads the directory as it is (restored after the close), a timeout starts no spare, and
 * only a few are kept.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openPgliteWorker } from "../../../src/lane/db/pglite-worker.js";
import { spareWorkers, takeSpare } from "../../../src/lane/db/pglite-worker-pool.js";

let root: string;
let dataDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "fc-pglite-pool-"));
  dataDir = join(root, "clone");
  const made = await openPgliteWorker({ dataDir, statementTimeoutMs: 60_000 });
  await made.exec("CREATE TABLE kept (id int PRIMARY KEY)");
  await made.close();
}, 120_000);

afterAll(async () => {
  await drain();
  await rm(root, { recursive: true, force: true });
});

/** Ends every spare thread: each case starts from none. */
async function drain(): Promise<void> {
  await settle();
  for (let worker = takeSpare(); worker !== undefined; worker = takeSpare()) await worker.terminate();
}

/** Waits until the spares being started are up (a spare starts in the background). */
async function settle(): Promise<void> {
  let last = -1;
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (spareWorkers() === last && i >= 10) return;
    last = spareWorkers();
  }
}

async function until(n: number): Promise<void> {
  for (let i = 0; i < 200 && spareWorkers() !== n; i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(spareWorkers()).toBe(n);
}

beforeEach(drain);

const open = (dir = dataDir, statementTimeoutMs = 60_000) =>
  openPgliteWorker({ dataDir: dir, statementTimeoutMs });

async function ids(dir = dataDir): Promise<number[]> {
  const db = await open(dir);
  try {
    return (await db.query("SELECT id FROM kept ORDER BY id")).rows.map((row) => Number(row.id));
  } finally {
    await db.close();
  }
}

/** The one answer a thread gives to an open. */
function answer(worker: Worker, spec: object): Promise<{ type: string; message?: string }> {
  return new Promise((resolve) => {
    worker.once("message", resolve);
    worker.postMessage({ op: "open", spec });
  });
}

describe("spare PGlite worker threads (#17)", () => {
  it("must stay quiet: a clean close starts a spare, and the next open takes it and reads the directory as it is", async () => {
    const first = await open();
    await first.exec("INSERT INTO kept VALUES (1)");
    await first.close();
    await until(1);
    const second = await open();
    expect(spareWorkers()).toBe(0);
    expect((await second.query("SELECT count(*)::int AS n FROM kept")).rows[0]?.n).toBe(1);
    await second.exec("DELETE FROM kept");
    await second.close();
  });

  it("a boot in a spare thread reads the directory restored after the last close", async () => {
    const snapshot = join(root, "snapshot");
    await cp(dataDir, snapshot, { recursive: true });
    const applied = await open();
    await applied.exec("INSERT INTO kept VALUES (7), (8)");
    await applied.close();
    await until(1);
    // The restore, as the clone backend does it: the applied directory replaced by the snapshot.
    await rm(dataDir, { recursive: true, force: true });
    await cp(snapshot, dataDir, { recursive: true });
    await rm(snapshot, { recursive: true, force: true });
    expect(await ids()).toEqual([]);
  });

  it("must fire: a thread opens one database in its life; a second open is refused", async () => {
    const db = await open();
    await db.close();
    await until(1);
    const spare = takeSpare();
    if (spare === undefined) throw new Error("no spare");
    try {
      expect(await answer(spare, { dataDir })).toEqual({ type: "ready" });
      const second = await answer(spare, { dataDir: join(root, "other") });
      expect(second.type).toBe("failed");
      expect(second.message).toMatch(/opened its database/);
    } finally {
      await spare.terminate();
    }
  });

  it("must fire: a thread stopped by a timeout starts no spare, and the directory keeps what was committed", async () => {
    const db = await open(dataDir, 300);
    await db.exec("INSERT INTO kept VALUES (5)");
    await expect(db.exec("SELECT pg_catalog.pg_sleep(30)")).rejects.toThrow(/300 ms/);
    await db.close();
    await settle();
    expect(spareWorkers()).toBe(0);
    expect(await ids()).toEqual([5]);
    const again = await open();
    await again.exec("DELETE FROM kept");
    await again.close();
  });

  it("keeps at most two spares, and a failed open in a spare rejects with the usual error", async () => {
    const dbs = await Promise.all([open(), open(join(root, "second")), open(join(root, "third"))]);
    for (const db of dbs) await db.close();
    await settle();
    expect(spareWorkers()).toBe(2);
    const notADirectory = join(root, "file");
    await writeFile(notADirectory, "not a data directory");
    await expect(open(notADirectory)).rejects.toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    // The spare that failed is not kept (one may also have ended, idle, meanwhile).
    expect(spareWorkers()).toBeLessThan(2);
  });
});
