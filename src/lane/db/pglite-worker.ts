import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import pLimit from "p-limit";
import { FailclosedError } from "../../kernel/errors.js";
import { startSpare, takeSpare } from "./pglite-worker-pool.js";
import { PGLITE_WORKER_SOURCE, type ErrorFields } from "./pglite-worker-source.js";
import { TEXT_TYPES } from "./pglite-types.js";
import { singleBackend } from "./single-backend.js";
import type { SqlDatabase, SqlRows, SqlSession, SqlValue } from "./session.js";

/**
 * Embedded PostgreSQL in a worker thread. PGlite never cancels a statement and runs it on the
 * calling thread, so a `pg_sleep` or a recursive query without end in a migration nobody has vetted
 * yet would block the whole process: the lane, the gate beside it, and every timer that could have
 * stopped them. In a worker, a statement that outlives its time is stopped by terminating the
 * worker; PostgreSQL's crash recovery then reopens the data directory as of its last commit,
 * exactly what a cancelled statement leaves on a real server, and the next call runs on a fresh
 * worker. A database in memory has nothing to recover from: once its worker is stopped, every
 * later call fails (a gate's ledger that forgot its spent nonces would fail open).
 *
 * The worker also keeps the database's work off the calling thread, so that the caller's own work
 * (the fuzzer rendering the next probe) runs beside it on a second core.
 */
export interface PgliteWorkerOptions {
  /**
   * The data directory (persisted: what a terminated worker committed is kept; a new or empty one
   * starts from the process's empty cluster); undefined: in memory, from that cluster too.
   */
  readonly dataDir?: string;
  /**
   * The time limit of a script (`exec`: how the lane runs a migration), the statement timeout
   * PGlite cannot enforce itself.
   */
  readonly statementTimeoutMs: number;
  /**
   * The time limit of every other call (the lane's own queries: guard, digests), generous but
   * finite, so that nothing can hold the process forever. Default: 10 minutes, and never less
   * than the statement timeout.
   */
  readonly operationTimeoutMs?: number;
  /** How long a worker may take to open the data directory. */
  readonly startTimeoutMs?: number;
}

/** The error a timed-out operation rejects with; the lane treats it as a server error (C3). */
export class StatementTimeoutError extends FailclosedError {
  constructor(ms: number) {
    super("DATABASE_UNAVAILABLE", `the statement ran longer than ${ms} ms and was stopped`);
  }
}

/**
 * A statement PostgreSQL refused, with the fields of its error report that PGlite's own error
 * carries (code: the SQLSTATE; constraint: the one violated), so callers read it alike either way.
 */
export class WorkerQueryError extends Error {
  override readonly name = "WorkerQueryError";
  readonly code: string | undefined;
  readonly constraint: string | undefined;
  readonly detail: string | undefined;
  readonly schema: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly severity: string | undefined;
  constructor(message: string, fields: ErrorFields = {}) {
    super(message);
    ({
      code: this.code,
      constraint: this.constraint,
      detail: this.detail,
      schema: this.schema,
      table: this.table,
      column: this.column,
      severity: this.severity,
    } = fields);
  }
}

/**
 * PGlite's ES module entry, which a worker thread imports in about 30 ms; the CommonJS entry that
 * require.resolve finds took about 47 ms, cjs-module-lexer reading its 520 KB for named exports
 * in every thread (a default run starts about 80). Where import.meta.resolve is missing (a test
 * runner's module loader), the CommonJS entry, which works the same.
 */
function pgliteUrl(): string {
  const { resolve } = import.meta as { resolve?: (specifier: string) => string };
  if (typeof resolve === "function") {
    try {
      const url = resolve("@electric-sql/pglite");
      if (url.startsWith("file:")) return url;
    } catch {
      // fall through to the CommonJS entry
    }
  }
  return pathToFileURL(createRequire(import.meta.url).resolve("@electric-sql/pglite")).href;
}
const PGLITE_URL = pgliteUrl();
/** The directory of PGlite's dist/, where its WebAssembly and file system bundle lie beside both entries. */
const PGLITE_DIST = dirname(fileURLToPath(PGLITE_URL));

/** A compiled WebAssembly.Module; opaque here, only PGlite looks inside. */
type WasmModule = object;
// The global is there in Node; the TypeScript libraries this project compiles with do not declare it.
const { WebAssembly: wasm } = globalThis as unknown as {
  WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> };
};

/**
 * PostgreSQL's buffer cache in each embedded database. PGlite's default of 128 MB is touched as it
 * is used and stays resident: a ledger or a fuzzing clone of a few megabytes never needs it, and
 * a run holds several databases at once (about 90 MB each at this size, 240 MB at the default). A
 * database larger than this still works, read through the file system's cache.
 */
const SHARED_BUFFERS = "16MB";

let compiled: Promise<WasmModule> | undefined;

/**
 * PostgreSQL's WebAssembly, compiled once per process and shared with every worker (a compiled
 * module crosses threads without copying its code): each worker would otherwise compile and hold
 * its own copy, seconds of CPU and tens of megabytes each.
 */
function pgliteWasm(): Promise<WasmModule> {
  compiled ??= readFile(join(PGLITE_DIST, "pglite.wasm")).then((bytes) => wasm.compile(bytes));
  return compiled;
}

let fsBundle: Promise<Blob> | undefined;

/**
 * PGlite's file system bundle (its share/ and lib/ files, unpacked into memory at every start),
 * read from disk once per process and handed to every worker; a Blob crosses without copying.
 */
function pgliteFsBundle(): Promise<Blob> {
  fsBundle ??= readFile(join(PGLITE_DIST, "pglite.data")).then((bytes) => new Blob([bytes]));
  void fsBundle.catch(() => (fsBundle = undefined));
  return fsBundle;
}

/**
 * PostgreSQL boots one at a time in a process. A boot briefly holds far more memory than the
 * running instance (the cluster's tarball, WebAssembly memory being filled, a new thread's heap);
 * a default run's snapshot rehearsals, P07's clones and D02's lanes booting together made the
 * process's peak (issue #17, <= 1 GiB), while a boot takes a fraction of a second.
 */
const BOOTS = pLimit(1);

type Op = "query" | "exec" | "end-session" | "listen" | "dump" | "code-loads" | "close";
type Done = {
  readonly id: number;
  readonly ok: true;
  readonly rows: Array<Record<string, unknown>>;
  readonly bytes?: Uint8Array;
};
type Reply =
  Done | { readonly id: number; readonly ok: false; readonly message: string; readonly fields: ErrorFields };
type StartMessage = { readonly type: "ready" } | { readonly type: "failed"; readonly message: string };
type Notification = { readonly type: "notify"; readonly channel: string };

/** What a worker opens: a data directory, a cluster's tarball loaded into memory, or a new cluster. */
type ClusterSource =
  /** cluster: loaded into a new, empty directory instead of running initdb there. */
  | { readonly kind: "directory"; readonly dataDir: string; readonly cluster?: Blob }
  | { readonly kind: "memory"; readonly cluster: Blob }
  | { readonly kind: "initdb" };

interface Pending {
  readonly resolve: (done: Done) => void;
  readonly reject: (error: Error) => void;
}

/** A worker thread for one PGlite: `spec` opens it at once; without, it waits for { op: "open" }. */
async function newWorker(spec?: { dataDir?: string; cluster?: Blob }): Promise<Worker> {
  return new Worker(PGLITE_WORKER_SOURCE, {
    eval: true,
    workerData: {
      pgliteUrl: PGLITE_URL,
      spec,
      textTypes: TEXT_TYPES,
      wasmModule: await pgliteWasm(),
      fsBundle: await pgliteFsBundle(),
      sharedBuffers: SHARED_BUFFERS,
    },
  });
}

/**
 * One worker thread holding one PGlite; dead once terminated, never reused. Closing it cleanly
 * starts a spare thread for the next open (pglite-worker-pool.ts).
 */
class WorkerHandle {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #dead: Error | undefined;

  private constructor(worker: Worker, onNotify: (channel: string) => void) {
    this.#worker = worker;
    const onMessage = (message: Reply | Notification): void => {
      if ("type" in message) {
        onNotify(message.channel);
        return;
      }
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.ok) pending.resolve(message);
      else pending.reject(new WorkerQueryError(message.message, message.fields));
    };
    const die = (error: Error): void => {
      this.#dead ??= error;
      for (const pending of this.#pending.values()) pending.reject(this.#dead);
      this.#pending.clear();
    };
    worker.on("message", onMessage);
    worker.on("error", (error) => die(error));
    worker.on("exit", (code) => die(new Error(`the PGlite worker exited (code ${code})`)));
  }

  static start(
    source: ClusterSource,
    startTimeoutMs = 60_000,
    onNotify: (channel: string) => void = () => undefined,
  ): Promise<WorkerHandle> {
    return BOOTS(() => WorkerHandle.#boot(source, startTimeoutMs, onNotify));
  }

  static async #boot(
    source: ClusterSource,
    startTimeoutMs: number,
    onNotify: (channel: string) => void,
  ): Promise<WorkerHandle> {
    const spec = {
      dataDir: source.kind === "directory" ? source.dataDir : undefined,
      // A Blob crosses to the worker without copying its bytes.
      cluster: source.kind === "initdb" ? undefined : source.cluster,
    };
    // A spare thread (started and PGlite imported while the caller did other work) opens this
    // database instead of a new thread starting now.
    const spare = takeSpare();
    const worker = spare ?? (await newWorker(spec));
    spare?.postMessage({ op: "open", spec });
    const started = await new Promise<StartMessage | Error>((resolve) => {
      const settle = (outcome: StartMessage | Error): void => {
        clearTimeout(timer);
        worker.off("message", settle);
        worker.off("error", settle);
        worker.off("exit", onExit);
        resolve(outcome);
      };
      const onExit = (code: number): void => settle(new Error(`the worker exited (code ${code})`));
      const timer = setTimeout(
        () => settle(new Error(`not ready within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      worker.on("message", settle);
      worker.on("error", settle);
      worker.on("exit", onExit);
    });
    if (started instanceof Error || started.type === "failed") {
      await worker.terminate();
      const why = started.message;
      const where = source.kind === "directory" ? source.dataDir : "(in memory)";
      throw new FailclosedError("DATABASE_UNAVAILABLE", `cannot open PGlite at ${where}: ${why}`);
    }
    return new WorkerHandle(worker, onNotify);
  }

  get alive(): boolean {
    return this.#dead === undefined;
  }

  /** One operation; past `ms` the worker is terminated and the operation rejects. */
  call(op: Op, sql: string, params: readonly SqlValue[], ms: number): Promise<Done> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#dead ??= new StatementTimeoutError(ms);
        void this.#worker.terminate();
      }, ms);
      this.#pending.set(id, {
        resolve: (done) => {
          clearTimeout(timer);
          resolve(done);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#worker.postMessage({ id, op, sql, params: [...params] });
    });
  }

  async stop(): Promise<void> {
    this.#dead ??= new Error("the PGlite worker was closed");
    await this.#worker.terminate();
  }

  /**
   * Closes the PGlite (within `ms`) and ends the thread, as before; a clean close also starts a
   * spare thread, since a reopen usually follows (a snapshot rehearsal, a fuzzer's next variant).
   */
  async release(ms: number): Promise<void> {
    const closed =
      this.#dead === undefined &&
      (await this.call("close", "", [], ms).then(
        () => true,
        () => false,
      ));
    await this.stop();
    if (closed) startSpare(() => newWorker());
  }
}

export async function openPgliteWorker(options: PgliteWorkerOptions): Promise<SqlDatabase> {
  const { dataDir } = options;
  const source: ClusterSource =
    dataDir === undefined
      ? { kind: "memory", cluster: await emptyCluster() }
      : { kind: "directory", dataDir };
  const listeners = new Map<string, Array<() => void>>();
  const notify = (channel: string): void => {
    for (const listener of listeners.get(channel) ?? []) listener();
  };
  // Which worker is running: a replaced one (after a timeout) is a new backend with its own code.
  let generation = 0;
  const start = async (): Promise<WorkerHandle> => {
    generation += 1;
    return WorkerHandle.start(
      source.kind === "directory" && (await isEmptyDirectory(source.dataDir))
        ? { ...source, cluster: await emptyCluster() }
        : source,
      options.startTimeoutMs,
      notify,
    );
  };
  let handle: WorkerHandle | undefined = await start();
  let closed = false;
  const scriptMs = options.statementTimeoutMs;
  const operationMs = Math.max(options.operationTimeoutMs ?? 600_000, scriptMs);

  // A worker stopped by a timeout is replaced on the next call: the data directory is reopened
  // (crash recovery) in a fresh thread, with whatever its last commit left, and listens again. In
  // memory, what the worker held is gone, and so is the database.
  async function live(): Promise<WorkerHandle> {
    if (closed) throw new FailclosedError("DATABASE_UNAVAILABLE", "the PGlite worker database is closed");
    if (handle?.alive === true) return handle;
    if (source.kind === "memory")
      throw new FailclosedError(
        "DATABASE_UNAVAILABLE",
        "the in-memory PGlite database was lost when its worker stopped; its contents cannot be recovered",
      );
    await handle?.stop();
    handle = undefined;
    const fresh = await start();
    try {
      for (const channel of listeners.keys()) await fresh.call("listen", channel, [], operationMs);
    } catch (error) {
      await fresh.stop();
      throw error;
    }
    handle = fresh;
    return fresh;
  }

  const call = async (op: Op, sql = "", params: readonly SqlValue[] = []): Promise<SqlRows["rows"]> =>
    (await (await live()).call(op, sql, params, op === "exec" ? scriptMs : operationMs)).rows;

  const session: SqlSession = {
    query: async (sql, params = []) => ({ rows: await call("query", sql, params) }),
    exec: async (sql) => void (await call("exec", sql)),
  };
  // After a timeout the fresh worker has no transaction open; ending the session costs a no-op.
  const { database, lock } = singleBackend(session, {
    endSession: async () => void (await call("end-session")),
    close: async () => {
      if (closed) return;
      closed = true;
      const open = handle;
      handle = undefined;
      await open?.release(operationMs);
    },
  });
  return {
    ...database,
    loadedCode: () =>
      lock.run(async () => {
        const rows = await call("code-loads");
        return `${generation}:${String(rows[0]?.loads)}`;
      }),
    // Under the lock: a LISTEN sent inside another caller's open transaction would only take effect
    // at its commit, and not at all after a rollback.
    listen: (channel, listener) =>
      lock.run(async () => {
        const known = listeners.get(channel);
        if (known === undefined) {
          await call("listen", channel);
          listeners.set(channel, [listener]);
        } else known.push(listener);
      }),
  };
}

/**
 * A directory with nothing in it yet (or none at all): a new database, loaded from the process's
 * empty cluster rather than made by initdb, which would hold several hundred megabytes while it
 * runs. Anything else is opened as it is, and PGlite refuses what is not a data directory.
 */
async function isEmptyDirectory(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}

let cluster: Promise<Blob> | undefined;

/**
 * An empty PostgreSQL cluster as a data directory tarball, made once per process by initdb in a
 * worker thread: new databases, in memory or in an empty directory, are loaded from it rather than
 * each running initdb, which costs seconds and holds hundreds of megabytes while it runs.
 */
export function emptyCluster(): Promise<Blob> {
  cluster ??= (async () => {
    const handle = await WorkerHandle.start({ kind: "initdb" });
    try {
      const done = await handle.call("dump", "", [], 600_000);
      if (done.bytes === undefined)
        throw new FailclosedError("DATABASE_UNAVAILABLE", "the empty cluster came back empty");
      return new Blob([done.bytes]);
    } finally {
      await handle.stop();
    }
  })();
  // A failure is not kept: the next database to open tries again.
  void cluster.catch(() => (cluster = undefined));
  return cluster;
}
