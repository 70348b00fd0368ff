/**
 * The code a PGlite worker thread runs, as JavaScript text for `new Worker(code, { eval: true })`.
 * Text rather than a module file because the same code must start from the compiled dist/ and
 * from TypeScript sources under vitest, and a worker thread gets no TypeScript loader. It only
 * relays: every decision stays in pglite-worker.ts.
 *
 * Protocol, one message at a time: { id, op: "query" | "exec" | "end-session" | "listen" | "dump" |
 * "code-loads" | "close", sql, params } in (listen: sql is the channel; code-loads answers one row
 * { loads }: how many WebAssembly modules the worker has instantiated since it started); { id, ok: true, rows, bytes? } or { id,
 * ok: false, message, fields } out (fields: code, the SQLSTATE, and the other string fields of
 * PostgreSQL's error report that are present; bytes: the data directory's tarball, for dump). A
 * notification on a channel listened to is { type: "notify", channel }, posted as PGlite hears
 * it: before the answer of the statement that committed it. At start when workerData holds the
 * spec { dataDir?, cluster? }, or else (a spare thread, pglite-worker-pool.ts) after its one
 * { op: "open", spec }: { type: "ready" } or { type: "failed", message }.
 */
/** The fields of a PostgreSQL error report a worker passes back, when they are strings. */
export const ERROR_FIELDS = [
  "code",
  "constraint",
  "detail",
  "schema",
  "table",
  "column",
  "severity",
] as const;

export type ErrorFields = Partial<Record<(typeof ERROR_FIELDS)[number], string>>;

export const PGLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
// Every library the backend loads (LOAD, a procedural language, an encoding conversion) is a
// WebAssembly module instantiated in this thread: counted here, before PGlite is imported, so the
// lane can tell that nothing was loaded into a session it means to keep (run-modes.ts).
let codeLoads = 0;
{
  const wasm = globalThis.WebAssembly;
  const instantiate = wasm.instantiate;
  wasm.instantiate = function (...args) {
    codeLoads += 1;
    return instantiate.apply(this, args);
  };
  wasm.Instance = new Proxy(wasm.Instance, {
    construct(target, args, newTarget) {
      codeLoads += 1;
      return Reflect.construct(target, args, newTarget);
    },
  });
}
const reply = (message) => parentPort.postMessage(message);
// PGlite's file system (Emscripten) throws {name: "ErrnoError", errno} with no message: name it
// (WASI errno numbers) rather than print "[object Object]".
const FS_ERRNO = { 2: "EACCES", 20: "EEXIST", 31: "EISDIR", 44: "ENOENT", 54: "ENOTDIR", 55: "ENOTEMPTY", 63: "EPERM", 69: "EROFS" };
const describe = (error) => {
  if (error && error.message) return String(error.message).slice(0, 2000);
  if (error && error.name === "ErrnoError")
    return "file system error " + (FS_ERRNO[error.errno] || "errno " + error.errno) + " (is it a PGlite data directory?)";
  return (typeof error === "object" && error !== null ? JSON.stringify(error) : String(error)).slice(0, 2000);
};
let db;
// Imported at once: a spare thread (no spec yet) has it ready when its open comes.
const pglite = import(workerData.pgliteUrl);
pglite.catch(() => undefined);
const boot = async (spec) => {
  try {
    const { PGlite } = await pglite;
    const asText = (value) => value;
    const parsers = Object.fromEntries(workerData.textTypes.map((oid) => [oid, asText]));
    // A data directory (a new one loaded from the cluster's tarball, when given one), or in memory
    // loaded from that tarball, or neither: a new cluster in memory (initdb), made to be dumped.
    const startParams = [...PGlite.defaultStartParams, "-c", "shared_buffers=" + workerData.sharedBuffers];
    const options = { parsers, pgliteWasmModule: workerData.wasmModule, startParams };
    // PGlite's file system bundle, read once per process rather than from disk at every start.
    if (workerData.fsBundle !== undefined) options.fsBundle = workerData.fsBundle;
    if (spec.cluster !== undefined) options.loadDataDir = spec.cluster;
    // PGlite reads its options from the second argument only when the first is a data directory.
    db = spec.dataDir === undefined ? new PGlite(options) : new PGlite(spec.dataDir, options);
    await db.waitReady;
  } catch (error) {
    db = undefined;
    reply({ type: "failed", message: describe(error) });
    return;
  }
  reply({ type: "ready" });
};
// One PGlite in a thread's life: a thread is never reused for another database.
let opened = workerData.spec !== undefined;
(async () => {
  parentPort.on("message", async (m) => {
    if (m.op === "open") {
      if (db === undefined && !opened) {
        opened = true;
        await boot(m.spec);
      } else reply({ type: "failed", message: "this worker has opened its database" });
      return;
    }
    try {
      if (db === undefined) throw new Error("no database is open in this worker");
      switch (m.op) {
        case "query":
          reply({ id: m.id, ok: true, rows: (await db.query(m.sql, m.params)).rows });
          break;
        case "exec":
          await db.exec(m.sql);
          reply({ id: m.id, ok: true, rows: [] });
          break;
        case "end-session":
          if (db.isInTransaction()) await db.exec("ROLLBACK");
          reply({ id: m.id, ok: true, rows: [] });
          break;
        case "listen": {
          const channel = m.sql;
          await db.listen(channel, () => parentPort.postMessage({ type: "notify", channel }));
          reply({ id: m.id, ok: true, rows: [] });
          break;
        }
        case "dump": {
          const file = await db.dumpDataDir("none");
          const bytes = new Uint8Array(await file.arrayBuffer());
          parentPort.postMessage({ id: m.id, ok: true, rows: [], bytes }, [bytes.buffer]);
          break;
        }
        case "code-loads":
          reply({ id: m.id, ok: true, rows: [{ loads: codeLoads }] });
          break;
        case "close":
          await db.close();
          db = undefined;
          reply({ id: m.id, ok: true, rows: [] });
          break;
        default:
          reply({ id: m.id, ok: false, message: "unknown operation" });
      }
    } catch (error) {
      // The fields of PostgreSQL's error report that callers read (the ledger tells a spent nonce
      // by its SQLSTATE and constraint); an error crossing threads loses every own property.
      const fields = {};
      for (const name of ${JSON.stringify(ERROR_FIELDS)}) {
        if (error && typeof error[name] === "string") fields[name] = error[name];
      }
      reply({ id: m.id, ok: false, message: describe(error), fields });
    }
  });
  if (workerData.spec !== undefined) await boot(workerData.spec);
})();
`;
