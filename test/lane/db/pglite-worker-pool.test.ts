/**
 * Parked PGlite worker threads (issue #17, pglite-worker-pool.ts): a thread whose PGlite closed
 * cleanly opens the next database instead of a new thread starting. A parked thread holds no
 * database (what another instance wrote meanwhile, or a directory restored under it, is what the
 * next open reads), a thread stopped by a timeout is never parked, and only a few are kept.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openPgliteWorker } from "../../../src/lane/db/pglite-worker.js";
import { parkedWorkers, takeParkedWorker } from "../../../src/lane/db/pglite-worker-pool.js";

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

/** Ends every parked thread: each case starts from none. */
async function drain(): Promise<void> {
  for (let worker = takeParkedWorker(); worker !== undefined; worker = takeParkedWorker())
    await worker.terminate();
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

describe("parked PGlite worker threads (#17)", () => {
  it("must stay quiet: a cleanly closed database parks its thread, and the next open takes it and reads the directory as it is", async () => {
    const first = await open();
    await first.exec("INSERT INTO kept VALUES (1)");
    await first.close();
    expect(parkedWorkers()).toBe(1);
    const second = await open();
    expect(parkedWorkers()).toBe(0);
    expect((await second.query("SELECT count(*)::int AS n FROM kept")).rows[0]?.n).toBe(1);
    await second.exec("DELETE FROM kept");
    await second.close();
    expect(parkedWorkers()).toBe(1);
  });

  it("a boot in a parked thread sees the directory restored under it, not what its last database held", async () => {
    const snapshot = join(root, "snapshot");
    await cp(dataDir, snapshot, { recursive: true });
    const applied = await open();
    await applied.exec("INSERT INTO kept VALUES (7), (8)");
    await applied.close();
    expect(parkedWorkers()).toBe(1);
    // The restore, as the clone backend does it: the applied directory replaced by the snapshot.
    await rm(dataDir, { recursive: true, force: true });
    await cp(snapshot, dataDir, { recursive: true });
    await rm(snapshot, { recursive: true, force: true });
    expect(await ids()).toEqual([]);
  });

  it("a parked thread holds no database: what another instance committed meanwhile is what it reads next", async () => {
    const a = await open();
    await a.close();
    expect(parkedWorkers()).toBe(1);
    // Opened while a thread is parked: it takes the parked one, so park a second one first.
    const b = await open();
    const c = await open(join(root, "other"));
    await c.close();
    await b.exec("INSERT INTO kept VALUES (3)");
    await b.close();
    expect(parkedWorkers()).toBe(2);
    expect(await ids()).toEqual([3]);
    const d = await open();
    await d.exec("DELETE FROM kept");
    await d.close();
  });

  it("must fire: a thread stopped by a timeout is never parked, and the directory keeps what was committed", async () => {
    const db = await open(dataDir, 300);
    await db.exec("INSERT INTO kept VALUES (5)");
    await expect(db.exec("SELECT pg_catalog.pg_sleep(30)")).rejects.toThrow(/300 ms/);
    await db.close();
    expect(parkedWorkers()).toBe(0);
    expect(await ids()).toEqual([5]);
    const again = await open();
    await again.exec("DELETE FROM kept");
    await again.close();
  });

  it("keeps at most two threads, and a failed open in a parked thread ends it with the usual error", async () => {
    const dbs = await Promise.all([open(), open(join(root, "second")), open(join(root, "third"))]);
    for (const db of dbs) await db.close();
    expect(parkedWorkers()).toBe(2);
    const notADirectory = join(root, "file");
    await writeFile(notADirectory, "not a data directory");
    await expect(open(notADirectory)).rejects.toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    // The thread that failed is not parked again (one parked may also have ended, idle, meanwhile).
    expect(parkedWorkers()).toBeLessThan(2);
  });
});
