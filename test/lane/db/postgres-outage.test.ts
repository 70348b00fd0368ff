/**
 * Issue #13: a PostgreSQL connection error is a refusal, never a crash. PostgreSQL is stopped with
 * `pg_ctl stop -m immediate` on a private cluster (never the shared server) in the middle of an
 * ALLOW's transaction, and under a real `serve` process with requests in flight; each time the
 * gate answers DENY internal_error, /healthz says 503 while the server is down, nothing is allowed
 * that was not committed, and everything recovers when the server is back. Before the fix a
 * checked-out pg client had no 'error' listener: the in-process case failed on an unhandled
 * 'error' event and the serve process died.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, type RunningHttpServer } from "../../../src/lane/server/http.js";
import { openGateService, type GateService } from "../../../src/lane/server/gate-service.js";
import {
  CliChild,
  Docs,
  expectAllowShape,
  expectRefusal,
  keyringFlags,
  makeTestKeys,
  realNow,
  requireBuiltCli,
  writeKeyFiles,
  type KeyFiles,
  type TestKeys,
} from "../../support/gate-fixtures.js";
import {
  canStartPrivateCluster,
  PRIVATE_CLUSTER_SKIP_REASON,
  startPrivateCluster,
  type PrivateCluster,
} from "./private-cluster.js";

const JSON_HEADERS = { "content-type": "application/json" } as const;

function post(url: string, body: Uint8Array): Promise<Response> {
  return fetch(`${url}/v1/decide`, { method: "POST", headers: JSON_HEADERS, body });
}

/** Polls /healthz until it answers `status` (the server needs a moment to come back up). */
async function healthBecomes(url: string, status: number, attempts = 300): Promise<void> {
  let last = 0;
  for (let i = 0; i < attempts; i++) {
    last = (await fetch(`${url}/healthz`)).status;
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/healthz stayed ${last}, never ${status}`);
}

if (!canStartPrivateCluster()) console.warn(`[skip] ${PRIVATE_CLUSTER_SKIP_REASON}`);

describe.skipIf(!canStartPrivateCluster())(
  `PostgreSQL stopped mid-request${canStartPrivateCluster() ? "" : ` (skipped: ${PRIVATE_CLUSTER_SKIP_REASON})`}`,
  () => {
    let cluster: PrivateCluster;
    let keys: TestKeys;
    let docs: Docs;

    beforeAll(async () => {
      cluster = await startPrivateCluster();
      keys = await makeTestKeys();
      docs = new Docs(keys, realNow());
    }, 180_000);

    afterAll(async () => {
      await cluster?.remove();
    });

    it("inside an ALLOW's transaction: DENY internal_error, 503, nothing consumed, then ALLOW once it is back", async () => {
      let stopNow = false;
      let service: GateService | undefined;
      let http: RunningHttpServer | undefined;
      try {
        service = await openGateService({
          keyring: keys.keyring,
          database: { engine: "postgres", url: cluster.url },
          ledger: {
            hooks: {
              // Runs after the nonces are inserted, before the audit entry and COMMIT.
              afterNoncesInserted: async () => {
                if (!stopNow) return;
                stopNow = false;
                await cluster.stopImmediate();
              },
            },
          },
        });
        http = await startHttpServer(service);
        const { url } = http;
        await healthBecomes(url, 200, 1);

        const first = await docs.authorized("CUTOVER");
        stopNow = true;
        const interrupted = await post(url, first.bytes);
        expect(interrupted.status).toBe(403);
        expectRefusal(await interrupted.text(), keys, "DENY", ["internal_error"], first.requestId);

        await healthBecomes(url, 503, 1);
        const second = await docs.authorized("REPOINT");
        const whileDown = await post(url, second.bytes);
        expect(whileDown.status).toBe(403);
        expectRefusal(await whileDown.text(), keys, "DENY", ["internal_error"], second.requestId);

        await cluster.start();
        await healthBecomes(url, 200);
        // The interrupted transaction never committed: its grants are still unused, once.
        const retried = await post(url, first.bytes);
        expect(retried.status).toBe(200);
        expectAllowShape(await retried.text(), first.requestId);
        const replayed = await post(url, first.bytes);
        expect(replayed.status).toBe(403);
        expectRefusal(await replayed.text(), keys, "DENY", ["replayed"], first.requestId);
        expect(await service.ledger.consumedCount()).toBe(first.grantIds.length);
      } finally {
        await http?.close();
        await service?.close();
        await cluster.start().catch(() => undefined);
      }
    }, 240_000);

    it("a serve process with requests in flight survives the outage and serves again after it", async () => {
      requireBuiltCli();
      const files: KeyFiles = await writeKeyFiles(keys);
      const server = new CliChild([
        "serve",
        "--port",
        "0",
        "--database-url",
        cluster.url,
        ...keyringFlags(files.paths),
      ]);
      try {
        const url = await server.channel.nextLine(120_000);
        // Warm the pool so that idle and checked-out clients both exist when the server dies.
        const warm = await Promise.all(
          Array.from({ length: 8 }, async () =>
            post(url, (await docs.build(docs.holdScenario("DRYRUN"))).bytes),
          ),
        );
        for (const response of warm) expect(response.status).toBe(423);

        const inFlight = await Promise.all(Array.from({ length: 12 }, () => docs.authorized("CUTOVER")));
        const answers = Promise.all(
          inFlight.map(async (request) => {
            const response = await post(url, request.bytes);
            return { request, status: response.status, body: await response.text() };
          }),
        );
        await cluster.stopImmediate();
        for (const { request, status, body } of await answers) {
          // Each request either committed before the stop (ALLOW) or was refused; never a 5xx.
          expect([200, 403]).toContain(status);
          if (status === 200) expectAllowShape(body, request.requestId);
          else expectRefusal(body, keys, "DENY", ["internal_error"], request.requestId);
        }
        await healthBecomes(url, 503, 1);
        const down = await docs.authorized("ACTIVATION");
        const refused = await post(url, down.bytes);
        expect(refused.status).toBe(403);
        expectRefusal(await refused.text(), keys, "DENY", ["internal_error"], down.requestId);
        expect(server.child.exitCode).toBeNull();

        await cluster.start();
        await healthBecomes(url, 200);
        const after = await post(url, down.bytes);
        expect(after.status).toBe(200);
        expectAllowShape(await after.text(), down.requestId);
        expect(server.child.exitCode).toBeNull();
        expect(await server.stop("SIGTERM")).toStrictEqual({ code: 0, signal: null });
        expect(server.stderr).not.toContain("Error:");
      } finally {
        if (server.child.exitCode === null && server.child.signalCode === null) await server.stop("SIGKILL");
        await files.remove();
        await cluster.start().catch(() => undefined);
      }
    }, 300_000);
  },
);
