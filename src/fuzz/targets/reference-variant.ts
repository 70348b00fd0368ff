import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { openPgliteWorker, openLane, writeMarker } from "../../lane/index.js";
import type { LaneComponents, LaneConfig, ProductionIdentity, Keyring } from "../../lane/index.js";
import type { Clock } from "../../kernel/clock.js";
import { filesUnder } from "../../kernel/files-under.js";
import type { CloneSetup, Outcome } from "../types.js";
import { noticeLog } from "./lane-notices.js";
import { copyClone } from "./reference-clone.js";

export interface VariantContext {
  readonly template: string;
  readonly dir: string;
  readonly laneKeyring: Keyring;
  readonly clock: Clock;
  readonly rehearsalKid?: string;
  readonly production: readonly ProductionIdentity[];
  /** Lane parts a test swapped for flawed ones (lane/rehearsal/components.ts); usually none. */
  readonly components?: Partial<LaneComponents>;
}

/**
 * C1 probes: a fresh copy of the template clone, its marker replaced as the probe says (or
 * removed), and a lane configured with the probe's extra production identities; the request is
 * rehearsed there and everything the lane wrote is returned for the leak oracle.
 */
export async function rehearseOnVariant(
  ctx: VariantContext,
  setup: CloneSetup,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<Outcome> {
  const cloneDir = join(ctx.dir, "clone");
  const evidenceDir = join(ctx.dir, "evidence");
  const started = Date.now();
  try {
    await mkdir(evidenceDir, { recursive: true });
    await copyClone(ctx.template, cloneDir);
    // In a worker thread, as the lane's own clone: ending the thread gives its memory back at
    // once, before the lane boots its own database.
    const db = await openPgliteWorker({ dataDir: cloneDir, statementTimeoutMs: 60_000 });
    try {
      if (setup.marker === null) await db.exec("DROP SCHEMA failclosed_clone CASCADE");
      else await db.withSession((session) => writeMarker(session, setup.marker ?? ""));
    } finally {
      await db.close();
    }
  } catch (error) {
    await rm(ctx.dir, { recursive: true, force: true }).catch(() => undefined);
    return { kind: "harness_error", detail: `cannot build the clone variant: ${String(error)}` };
  }
  const config: LaneConfig = {
    clone: { engine: "pglite", dataDir: cloneDir },
    production: [...ctx.production, ...setup.productionDatabases.map((database) => ({ database }))],
    keyring: [],
    ...(ctx.rehearsalKid === undefined ? {} : { rehearsalKid: ctx.rehearsalKid }),
    evidenceDir,
    statementTimeoutMs: 10_000,
    compareCluster: true,
  };
  const notices = noticeLog();
  const lane = await openLane(config, {
    testMode: true,
    keyring: ctx.laneKeyring,
    clock: ctx.clock,
    notice: notices.notice,
    ...(ctx.components === undefined ? {} : { components: ctx.components }),
  });
  try {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">(
      (resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)),
    );
    const answer = await Promise.race([lane.rehearse(bytes), deadline]).finally(() => clearTimeout(timer));
    const channels = { stdout: "", stderr: notices.take(), files: await filesUnder(evidenceDir), rows: [] };
    if (answer === "timeout") return { kind: "timed_out", elapsedMs: Date.now() - started, channels };
    return { kind: "responded", elapsedMs: Date.now() - started, headers: {}, body: answer.bytes, channels };
  } finally {
    await lane.close().catch(() => undefined);
    await rm(ctx.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
