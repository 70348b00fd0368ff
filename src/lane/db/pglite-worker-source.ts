/**
 * The code a PGlite worker thread runs, as JavaScript text for `new Worker(code, { eval: true })`.
 * Text rather than a module file because the same code must start from the compiled dist/ and
 * from TypeScript sources under vitest, and a worker thread gets no TypeScript loader. It only
 * relays: every decision stays in pglite-worker.ts.
 *
 * Protocol, one message at a time: { id, op: "query" | "exec" | "end-session" | "dump" | "close",
 * sql, params } in; { id, ok: true, rows, bytes? } or { id, ok: false, message, code } out (code:
 * the SQLSTATE; bytes: the data directory's tarball, for dump). At start: { type: "ready" } or
 * { type: "failed", message }.
 */
export const PGLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const reply = (message) => parentPort.postMessage(message);
const describe = (error) => String((error && error.message) || error).slice(0, 2000);
(async () => {
  let db;
  try {
    const { PGlite } = await import(workerData.pgliteUrl);
    const asText = (value) => value;
    const parsers = Object.fromEntries(workerData.textTypes.map((oid) => [oid, asText]));
    // No data directory: a new cluster in memory (initdb), made to be dumped.
    db = new PGlite(workerData.dataDir, { parsers, pgliteWasmModule: workerData.wasmModule });
    await db.waitReady;
  } catch (error) {
    reply({ type: "failed", message: describe(error) });
    return;
  }
  parentPort.on("message", async (m) => {
    try {
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
        case "dump": {
          const file = await db.dumpDataDir("none");
          const bytes = new Uint8Array(await file.arrayBuffer());
          parentPort.postMessage({ id: m.id, ok: true, rows: [], bytes }, [bytes.buffer]);
          break;
        }
        case "close":
          await db.close();
          reply({ id: m.id, ok: true, rows: [] });
          break;
        default:
          reply({ id: m.id, ok: false, message: "unknown operation" });
      }
    } catch (error) {
      const code = error && typeof error.code === "string" ? error.code : undefined;
      reply({ id: m.id, ok: false, message: describe(error), code });
    }
  });
  reply({ type: "ready" });
})();
`;
