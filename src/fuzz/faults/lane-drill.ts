/**
 * The lane the request drills rehearse on: a fresh copy of the target's template clone for every
 * drill (as a P07 probe gets), so that a fault that leaves a clone half-done cannot bleed into the
 * next drill, and a replay meets the same clone. The fault is switched in through the lane's seams
 * (lane/rehearsal/components.ts), wrapping whatever parts a test swapped in, or by the file system.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "../../kernel/clock.js";
import { filesUnder } from "../../kernel/files-under.js";
import {
  laneComponents,
  openLane,
  type Keyring,
  type LaneComponents,
  type ProductionIdentity,
} from "../../lane/index.js";
import { race } from "../targets/deadline.js";
import { copyClone } from "../targets/reference-clone.js";
import type { FaultName } from "./catalogue.js";
import { connectionDropped } from "./dependency-errors.js";
import type { Notice } from "./printed.js";

export type LaneFault = Extract<
  FaultName,
  "clone-unavailable" | "clone-vanishes-mid-rehearsal" | "evidence-unwritable"
>;

export interface LaneDrillEnv {
  readonly template: string;
  readonly keyring: Keyring;
  readonly clock: Clock;
  readonly rehearsalKid?: string;
  readonly production: readonly ProductionIdentity[];
  readonly components?: Partial<LaneComponents>;
}

export type LaneDrillAnswer =
  | { readonly kind: "answered"; readonly bytes: Uint8Array; readonly files: ReadonlyMap<string, Uint8Array> }
  | { readonly kind: "threw"; readonly error: unknown; readonly files: ReadonlyMap<string, Uint8Array> }
  | { readonly kind: "timed_out"; readonly files: ReadonlyMap<string, Uint8Array> };

/**
 * A PostgreSQL address where nothing listens (port 1 on the loopback, reserved for tcpmux and
 * never a database): connecting fails at once with ECONNREFUSED, as a clone server that is down.
 */
const UNREACHABLE = "postgres://failclosed-drill@127.0.0.1:1/failclosed_drill_clone";

/** The lane's parts (a test's flawed ones, else the shipped ones) with the fault wrapped around them. */
function faultyParts(
  fault: LaneFault,
  swapped: Partial<LaneComponents> | undefined,
): Partial<LaneComponents> {
  const parts = laneComponents(swapped);
  switch (fault) {
    case "clone-unavailable":
      // Refused by the network itself (UNREACHABLE): the lane's own parts meet the real error.
      return swapped ?? {};
    case "clone-vanishes-mid-rehearsal": {
      // The first digest (before) reads a live clone; from the take-back after the migration on,
      // every read finds the session gone.
      let digests = 0;
      return {
        ...swapped,
        digest: (session) => (++digests === 1 ? parts.digest(session) : Promise.reject(connectionDropped())),
        takeBack: () => Promise.reject(connectionDropped()),
      };
    }
    case "evidence-unwritable":
      return swapped ?? {};
  }
}

/** Rehearses `bytes` under `fault` on a fresh clone in `dir` (removed after). */
export async function rehearseUnderFault(
  env: LaneDrillEnv,
  fault: LaneFault,
  dir: string,
  bytes: Uint8Array,
  timeoutMs: number,
  notice: Notice,
): Promise<LaneDrillAnswer> {
  const cloneDir = join(dir, "clone");
  const evidenceDir = join(dir, "evidence");
  try {
    await mkdir(evidenceDir, { recursive: true });
    // An unreachable clone needs no copy: the lane is pointed at a server where none listens.
    if (fault !== "clone-unavailable") await copyClone(env.template, cloneDir);
    const lane = await openLane(
      {
        clone:
          fault === "clone-unavailable"
            ? { engine: "postgres", url: UNREACHABLE }
            : { engine: "pglite", dataDir: cloneDir },
        production: env.production,
        keyring: [],
        ...(env.rehearsalKid === undefined ? {} : { rehearsalKid: env.rehearsalKid }),
        evidenceDir,
        statementTimeoutMs: 10_000,
        compareCluster: true,
      },
      {
        testMode: true,
        keyring: env.keyring,
        clock: env.clock,
        notice,
        components: faultyParts(fault, env.components),
      },
    );
    try {
      if (fault === "evidence-unwritable") {
        await rm(evidenceDir, { recursive: true, force: true });
        await writeFile(evidenceDir, "");
      }
      const raced = await race(lane.rehearse(bytes), timeoutMs);
      const files = await filesUnder(evidenceDir, dir);
      switch (raced.kind) {
        case "done":
          return { kind: "answered", bytes: raced.value.bytes, files };
        case "threw":
          return { kind: "threw", error: raced.error, files };
        case "timed_out":
          return { kind: "timed_out", files };
      }
    } finally {
      await lane.close().catch(() => undefined);
    }
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
