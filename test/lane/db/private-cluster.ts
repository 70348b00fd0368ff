/**
 * A PostgreSQL 15 cluster of the test's own, on a free port under a temporary directory, that a
 * test may stop (`pg_ctl stop -m immediate`, a crash as far as clients can tell) and start again.
 * The shared server on 5432 is never touched. As root, the cluster runs as the postgres user
 * (initdb refuses root).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIN = "/usr/lib/postgresql/15/bin";

export const PRIVATE_CLUSTER_SKIP_REASON = `${BIN}/initdb is missing: private-cluster tests skipped`;

export function canStartPrivateCluster(): boolean {
  return existsSync(join(BIN, "initdb")) && existsSync(join(BIN, "pg_ctl"));
}

export interface PrivateCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth). */
  readonly url: string;
  readonly port: number;
  /** A crash as far as clients can tell: no shutdown checkpoint, every connection cut. */
  stopImmediate(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const root = await mkdtemp(join(tmpdir(), "fc-private-pg-"));
  const asRoot = userInfo().uid === 0;
  const pgUser = asRoot
    ? await run("id", ["-u", "postgres"]).then((r) => Number(r.stdout.trim()))
    : undefined;
  if (pgUser !== undefined) {
    await chown(root, pgUser, Number((await run("id", ["-g", "postgres"])).stdout.trim()));
  }
  await chmod(root, 0o700);
  const data = join(root, "data");
  const port = await freePort();
  const as = (command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(BIN, command), ...args])
      : run(join(BIN, command), [...args]);
  await as("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c shared_buffers=16MB",
    "-c max_connections=40",
  ].join(" ");
  const start = async (): Promise<void> => {
    await as("pg_ctl", ["-D", data, "-o", options, "-l", join(root, "log"), "-w", "-t", "120", "start"]);
  };
  const stopImmediate = async (): Promise<void> => {
    await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stopImmediate,
    start,
    async remove() {
      await stopImmediate().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
