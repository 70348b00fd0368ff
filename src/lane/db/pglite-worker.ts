import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { FailclosedError } from "../errors.js";
import { PGLITE_WORKER_SOURCE } from "./pglite-worker-source.js";
import { TEXT_TYPES } from "./pglite-types.js";
import { singleBackend } from "./single-backend.js";
import type { SqlDatabase, SqlRows, SqlSession, SqlValue } from "./session.js";

/**
 * Embedded PostgreSQL in a worker thread, for clones that run migrations nobody has vetted yet.
 * PGlite never cancels a statement and runs it on the calling thread, so a `pg_sleep` or a
 * recursive query without end would block the whole process: the lane, the gate beside it, and
 * every timer that could have stopped them. In a worker, a statement that outlives its time is
 * stopped by terminating the worker; PostgreSQL's crash recovery then reopens the data directory
 * as of its last commit, exactly what a cancelled statement leaves on a real server, and the next
 * call runs on a fresh worker.
 */
export interface PgliteWorkerOptions {
  /** The clone's data directory (persisted: what a terminated worker committed is kept). */
  readonly dataDir: string;
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

/** A statement PostgreSQL refused, with its SQLSTATE, as PGlite's own error carries it. */
export class WorkerQueryError extends Error {
  override readonly name = "WorkerQueryError";
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const require = createRequire(import.meta.url);
const PGLITE_ENTRY = require.resolve("@electric-sql/pglite");
const PGLITE_URL = pathToFileURL(PGLITE_ENTRY).href;

/** A compiled WebAssembly.Module; opaque here, only PGlite looks inside. */
type WasmModule = object;
// The global is there in Node; the TypeScript libraries this project compiles with do not declare it.
const { WebAssembly: wasm } = globalThis as unknown as {
  WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> };
};

let compiled: Promise<WasmModule> | undefined;

/**
 * PostgreSQL's WebAssembly, compiled once per process and shared with every worker (a compiled
 * module crosses threads without copying its code): each worker would otherwise compile and hold
 * its own copy, seconds of CPU and tens of megabytes each.
 */
function pgliteWasm(): Promise<WasmModule> {
  compiled ??= readFile(join(dirname(PGLITE_ENTRY), "pglite.wasm")).then((bytes) => wasm.compile(bytes));
  return compiled;
}

type Op = "query" | "exec" | "end-session" | "dump" | "close";
type Done = {
  readonly id: number;
  readonly ok: true;
  readonly rows: Array<Record<string, unknown>>;
  readonly bytes?: Uint8Array;
};
type Reply =
  Done | { readonly id: number; readonly ok: false; readonly message: string; readonly code?: string };
type StartMessage = { readonly type: "ready" } | { readonly type: "failed"; readonly message: string };

interface Pending {
  readonly resolve: (done: Done) => void;
  readonly reject: (error: Error) => void;
}

/** One worker thread holding one PGlite; dead once terminated, never reused. */
class WorkerHandle {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #dead: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (message: Reply) => {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.ok) pending.resolve(message);
      else pending.reject(new WorkerQueryError(message.message, message.code));
    });
    const die = (error: Error): void => {
      this.#dead ??= error;
      for (const pending of this.#pending.values()) pending.reject(this.#dead);
      this.#pending.clear();
    };
    worker.on("error", (error) => die(error));
    worker.on("exit", (code) => die(new Error(`the PGlite worker exited (code ${code})`)));
  }

  /** dataDir undefined: a new cluster in memory (initdb), to be dumped. */
  static async start(
    options: Omit<PgliteWorkerOptions, "dataDir"> & { readonly dataDir?: string },
  ): Promise<WorkerHandle> {
    const worker = new Worker(PGLITE_WORKER_SOURCE, {
      eval: true,
      workerData: {
        pgliteUrl: PGLITE_URL,
        dataDir: options.dataDir,
        textTypes: TEXT_TYPES,
        wasmModule: await pgliteWasm(),
      },
    });
    const limit = options.startTimeoutMs ?? 60_000;
    const started = await new Promise<StartMessage | Error>((resolve) => {
      const timer = setTimeout(() => resolve(new Error(`not ready within ${limit} ms`)), limit);
      worker.once("message", (message: StartMessage) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.once("error", (error) => {
        clearTimeout(timer);
        resolve(error);
      });
    });
    if (started instanceof Error || started.type === "failed") {
      await worker.terminate();
      const why = started.message;
      const where = options.dataDir ?? "(a new in-memory cluster)";
      throw new FailclosedError("DATABASE_UNAVAILABLE", `cannot open PGlite at ${where}: ${why}`);
    }
    return new WorkerHandle(worker);
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
}

export async function openPgliteWorker(options: PgliteWorkerOptions): Promise<SqlDatabase> {
  let handle: WorkerHandle | undefined = await WorkerHandle.start(options);
  let closed = false;
  const scriptMs = options.statementTimeoutMs;
  const operationMs = Math.max(options.operationTimeoutMs ?? 600_000, scriptMs);

  // A worker stopped by a timeout is replaced on the next call: the data directory is reopened
  // (crash recovery) in a fresh thread, with whatever its last commit left.
  async function live(): Promise<WorkerHandle> {
    if (closed) throw new FailclosedError("DATABASE_UNAVAILABLE", "the PGlite worker database is closed");
    if (handle === undefined || !handle.alive) {
      await handle?.stop();
      handle = undefined;
      handle = await WorkerHandle.start(options);
    }
    return handle;
  }

  const call = async (op: Op, sql = "", params: readonly SqlValue[] = []): Promise<SqlRows["rows"]> =>
    (await (await live()).call(op, sql, params, op === "exec" ? scriptMs : operationMs)).rows;

  const session: SqlSession = {
    query: async (sql, params = []) => ({ rows: await call("query", sql, params) }),
    exec: async (sql) => void (await call("exec", sql)),
  };
  // After a timeout the fresh worker has no transaction open; ending the session costs a no-op.
  return singleBackend(session, {
    endSession: async () => void (await call("end-session")),
    close: async () => {
      if (closed) return;
      closed = true;
      const open = handle;
      handle = undefined;
      if (open?.alive === true) await open.call("close", "", [], operationMs).catch(() => undefined);
      await open?.stop();
    },
  }).database;
}

let cluster: Promise<Blob> | undefined;

/**
 * An empty PostgreSQL cluster as a data directory tarball, made once per process by initdb in a
 * worker thread: in-memory databases are loaded from it (openPglite) rather than each running
 * initdb in the process, whose WebAssembly memory (hundreds of megabytes) would stay behind.
 */
export function emptyCluster(): Promise<Blob> {
  cluster ??= (async () => {
    const handle = await WorkerHandle.start({ statementTimeoutMs: 600_000 });
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
