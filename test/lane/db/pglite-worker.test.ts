/**
 * PGlite in a worker thread, where every embedded database runs: answers as the pg adapter gives
 * them, errors with the fields callers read, notifications before the answer that committed them,
 * and a statement that outlives its time is stopped (the process keeps running meanwhile), its
 * uncommitted work gone, what was committed kept, and the next call served by a fresh worker; in
 * memory, where nothing can be recovered, the database is gone for good instead.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FailclosedError } from "../../../src/kernel/errors.js";
import { openPglite } from "../../../src/lane/db/pglite.js";
import {
  emptyCluster,
  openPgliteWorker,
  StatementTimeoutError,
  WorkerQueryError,
} from "../../../src/lane/db/pglite-worker.js";
import type { SqlDatabase } from "../../../src/lane/db/session.js";

let root: string;
let dataDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "fc-pglite-worker-"));
  dataDir = join(root, "clone");
  // Made by initdb in one worker, then reopened by others, as a clone is.
  const made = await openPglite(dataDir);
  await made.exec("CREATE TABLE kept (id int PRIMARY KEY, big bigint, raw bytea)");
  await made.close();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function withDb<T>(
  timeouts: { statementTimeoutMs: number; operationTimeoutMs?: number },
  fn: (db: SqlDatabase) => Promise<T>,
): Promise<T> {
  const db = await openPgliteWorker({ dataDir, ...timeouts });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe("a PGlite worker", () => {
  it("answers queries with parameters, bigints as text and bytes as bytes", async () => {
    await withDb({ statementTimeoutMs: 30_000 }, async (db) => {
      await db.query("INSERT INTO kept VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING", [
        1,
        "9007199254740993",
        new Uint8Array([0, 255]),
      ]);
      const { rows } = await db.query("SELECT id, big, raw FROM kept WHERE id = $1", [1]);
      expect(rows).toEqual([{ id: 1, big: "9007199254740993", raw: new Uint8Array([0, 255]) }]);
    });
  });

  it("rejects a refused statement with its SQLSTATE, as PGlite does", async () => {
    await withDb({ statementTimeoutMs: 30_000 }, async (db) => {
      await expect(db.query("SAVEPOINT outside")).rejects.toMatchObject({ code: "25P01" });
      await expect(db.query("SELECT 1 / 0")).rejects.toMatchObject({ code: "22012" });
    });
  });

  it("rolls back a transaction a session left open, before the next caller", async () => {
    await withDb({ statementTimeoutMs: 30_000 }, async (db) => {
      await db.withSession(async (session) => {
        await session.query("BEGIN");
        await session.query("INSERT INTO kept VALUES (2, 0, NULL)");
      });
      expect((await db.query("SELECT count(*)::int AS n FROM kept WHERE id = 2")).rows).toEqual([{ n: 0 }]);
    });
  });

  it("stops a script past the statement timeout without blocking the process, and serves on from a fresh worker", async () => {
    await withDb({ statementTimeoutMs: 800 }, async (db) => {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 50);
      const started = Date.now();
      const slow = db.withSession(async (session) => {
        await session.query("BEGIN");
        await session.query("INSERT INTO kept VALUES (3, 0, NULL)");
        await session.exec("SELECT pg_sleep(60)");
      });
      await expect(slow).rejects.toBeInstanceOf(StatementTimeoutError);
      clearInterval(ticker);
      expect(Date.now() - started).toBeLessThan(20_000);
      // The event loop ran while PostgreSQL slept: the sleep was in another thread.
      expect(ticks).toBeGreaterThan(5);
      // The uncommitted insert is gone, the committed row is still there.
      const { rows } = await db.query("SELECT id FROM kept ORDER BY id");
      expect(rows).toEqual([{ id: 1 }]);
    });
  });

  it("stops a recursive query without end, in a script or as a single query past the operation timeout", async () => {
    const endless = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r";
    await withDb({ statementTimeoutMs: 800, operationTimeoutMs: 1_500 }, async (db) => {
      await expect(db.exec(endless)).rejects.toBeInstanceOf(StatementTimeoutError);
      await expect(db.query(endless)).rejects.toBeInstanceOf(StatementTimeoutError);
      expect((await db.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    });
  });

  it("gives the lane's own queries the operation timeout, not the statement timeout", async () => {
    await withDb({ statementTimeoutMs: 200, operationTimeoutMs: 30_000 }, async (db) => {
      expect((await db.query("SELECT pg_catalog.pg_sleep(0.5)::text AS slept")).rows).toEqual([
        { slept: "" },
      ]);
    });
  });

  it("reports a database it cannot open with DATABASE_UNAVAILABLE, and refuses calls once closed", async () => {
    const notADirectory = join(root, "file");
    await writeFile(notADirectory, "not a data directory");
    const opening = openPgliteWorker({ dataDir: notADirectory, statementTimeoutMs: 5_000 });
    await expect(opening).rejects.toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    const db = await openPgliteWorker({ dataDir, statementTimeoutMs: 5_000 });
    await db.close();
    await expect(db.query("SELECT 1")).rejects.toBeInstanceOf(FailclosedError);
  });

  it("carries the fields of PostgreSQL's error report across, as the ledger reads a replay by them", async () => {
    await withDb({ statementTimeoutMs: 30_000 }, async (db) => {
      await db.exec("CREATE TABLE IF NOT EXISTS once (x int CONSTRAINT once_x UNIQUE)");
      await db.query("INSERT INTO once VALUES (1) ON CONFLICT DO NOTHING");
      const refused = db.query("INSERT INTO once VALUES (1)");
      await expect(refused).rejects.toBeInstanceOf(WorkerQueryError);
      await expect(refused).rejects.toMatchObject({
        code: "23505",
        constraint: "once_x",
        table: "once",
        schema: "public",
        severity: "ERROR",
      });
    });
  });

  it("hands a notification over before the answer of the statement that committed it, and listens again after a restart", async () => {
    await withDb({ statementTimeoutMs: 800 }, async (db) => {
      const heard: string[] = [];
      await db.listen?.("fc_test_channel", () => heard.push("first"));
      await db.listen?.("fc_test_channel", () => heard.push("second"));
      await db.query("NOTIFY fc_test_channel");
      expect(heard).toEqual(["first", "second"]);
      await db.withSession(async (session) => {
        await session.exec("BEGIN");
        await session.exec("NOTIFY fc_test_channel");
        // Not yet committed: nothing is heard.
        expect(heard).toHaveLength(2);
        await session.exec("COMMIT");
        expect(heard).toHaveLength(4);
      });
      await db.withSession(async (session) => {
        await session.exec("BEGIN");
        await session.exec("NOTIFY fc_test_channel");
        await session.exec("ROLLBACK");
      });
      await db.query("NOTIFY some_other_channel");
      expect(heard).toHaveLength(4);
      await expect(db.exec("SELECT pg_sleep(60)")).rejects.toBeInstanceOf(StatementTimeoutError);
      await db.query("NOTIFY fc_test_channel");
      expect(heard).toEqual(["first", "second", "first", "second", "first", "second"]);
    });
  });
});

describe("a PGlite worker on a new directory", () => {
  it("starts it from the empty cluster, keeps what was committed across a reopen, and opens an absent one alike", async () => {
    for (const dir of [await mkdtemp(join(root, "empty-")), join(root, "absent")]) {
      const made = await openPgliteWorker({ dataDir: dir, statementTimeoutMs: 30_000 });
      try {
        await made.exec("CREATE TABLE kept_here (x int); INSERT INTO kept_here VALUES (7)");
      } finally {
        await made.close();
      }
      const reopened = await openPgliteWorker({ dataDir: dir, statementTimeoutMs: 30_000 });
      try {
        expect((await reopened.query("SELECT x FROM kept_here")).rows).toEqual([{ x: 7 }]);
        const user = await reopened.query(
          "SELECT count(*)::int AS n FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace",
        );
        expect(user.rows).toEqual([{ n: 1 }]);
      } finally {
        await reopened.close();
      }
    }
  });
});

describe("a PGlite worker in memory (the gate's ledger)", () => {
  it("loads the empty cluster with its options: values as the pg adapter reads them, a 16 MB buffer cache", async () => {
    const db = await openPglite();
    try {
      const { rows } = await db.query(
        "SELECT 9007199254740993::bigint AS big, 1.10::numeric AS num, current_setting('shared_buffers') AS buffers",
      );
      expect(rows).toEqual([{ big: "9007199254740993", num: "1.10", buffers: "16MB" }]);
    } finally {
      await db.close();
    }
  });

  it("works off the calling thread: timers run while it sleeps", async () => {
    const db = await openPglite();
    try {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 20);
      await db.query("SELECT pg_catalog.pg_sleep(0.5)::text AS slept");
      clearInterval(ticker);
      expect(ticks).toBeGreaterThan(5);
    } finally {
      await db.close();
    }
  });

  it("is gone for good once its worker is stopped: every later call fails, none finds an empty database", async () => {
    const db = await openPgliteWorker({ statementTimeoutMs: 300 });
    try {
      await db.exec("CREATE TABLE spent (nonce text PRIMARY KEY); INSERT INTO spent VALUES ('n-1')");
      await expect(db.exec("SELECT pg_sleep(60)")).rejects.toBeInstanceOf(StatementTimeoutError);
      for (const call of [
        () => db.query("SELECT count(*)::int AS n FROM spent"),
        () => db.exec("SELECT 1"),
        () => db.withSession((session) => session.query("SELECT 1")),
        () => db.listen?.("fc_test_channel", () => undefined) ?? Promise.resolve(),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: "DATABASE_UNAVAILABLE", message: /lost/ });
      }
    } finally {
      await db.close();
    }
  });
});

describe("in-memory databases loaded from the process's empty cluster", () => {
  it("are made by initdb once, in a worker, and each starts empty and apart from the others", async () => {
    const first = await emptyCluster();
    expect(await emptyCluster()).toBe(first);
    const [a, b] = [await openPglite(), await openPglite()];
    try {
      await a.exec("CREATE TABLE only_in_a (x int); INSERT INTO only_in_a VALUES (1)");
      expect((await a.query("SELECT count(*)::int AS n FROM only_in_a")).rows).toEqual([{ n: 1 }]);
      await expect(b.query("SELECT 1 FROM only_in_a")).rejects.toThrow(/only_in_a/);
      const user = await b.query(
        "SELECT count(*)::int AS n FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace",
      );
      expect(user.rows).toEqual([{ n: 0 }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
