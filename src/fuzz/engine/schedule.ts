/**
 * The order a run fires its families in (issues #12, #15): first every family's saved failures,
 * then a smoke round: every family, controls alongside, fires a few single probes, one in flight
 * each, so that the target serves every family's first probe before anyone's second and every
 * family fires its first probes within seconds; then, per family, the long tail, chunk by chunk,
 * `width` chunks at once, each free slot going to the family that has had the least time so far
 * (every floor before any run beyond a floor): a slow family never starves a fast one, which
 * finishes its floor within its share. Each family finishes (confirms its finding, reports) as
 * soon as its own chunks are done. A target whose operations share nothing (the reference lane:
 * its gate and its lane each have their own database and their own requests in flight) gets the
 * long tail per operation: chunks of gate families and of lane families each in their own slots,
 * so that a decision never waits for a slot a rehearsal holds, nor P08's floor behind the gate
 * families' (it was the default run's tail: issue #12). F3's soundness does not depend on this order: the state lock
 * (state-lock.ts) keeps what changes the state by design out of every attack's snapshots.
 */
import pLimit from "p-limit";
import type { FamilyResult, Finding, ProbeFamily } from "../types.js";
import type { Chunk } from "./chunks.js";
import type { FamilyRun } from "./family-run.js";

export interface Replayed {
  readonly replayed: readonly Finding[];
  /** The saved failures could not be replayed: the family is inconclusive and fires nothing. */
  readonly error?: string;
}

export interface ScheduleOptions {
  /** Chunks of the long tail at once (and saved-failure replays at once). */
  readonly width: number;
  readonly replay: (family: ProbeFamily) => Promise<Replayed>;
  readonly open: (family: ProbeFamily, replayed: Replayed) => FamilyRun;
  /**
   * Which families share the long tail's slots (default: all of them). Each group gets `width`
   * workers of its own; fairness (least time first) holds within a group.
   */
  readonly groupOf?: (family: ProbeFamily) => string;
  /** A group's workers, when not `width` (the reference lane's rehearsals go one at a time anyway). */
  readonly widthOf?: (group: string) => number | undefined;
}

/** Controls spread evenly among the attacks, so the smoke round fires them alongside. */
export function interleaveControls(families: readonly ProbeFamily[]): ProbeFamily[] {
  const attacks = families.filter((f) => f.role === "attack");
  const controls = families.filter((f) => f.role === "control");
  const out: ProbeFamily[] = [];
  let next = 0;
  for (const [index, attack] of attacks.entries()) {
    while (next < controls.length && Math.floor((next * attacks.length) / controls.length) <= index)
      out.push(controls[next++] as ProbeFamily);
    out.push(attack);
  }
  return [...out, ...controls.slice(next)];
}

/** A family's place in the long tail: its chunks left, in order, and the time it has had. */
interface Lane {
  readonly run: FamilyRun;
  readonly group: string;
  readonly chunks: Chunk[];
  /** Its smoke chunks are done: only then does the long tail take its chunks. */
  smokeDone: boolean;
  busyMs: number;
  inFlight: number;
}

/**
 * The lane whose next chunk goes next: floor chunks before runs beyond any floor, then a lane
 * with nothing in flight, then the least time had; ties keep the families' order.
 */
function nextLane(lanes: readonly Lane[]): Lane | undefined {
  let best: Lane | undefined;
  const key = (lane: Lane): [number, number, number] => [
    lane.chunks[0]?.beyondFloor === true ? 1 : 0,
    lane.inFlight > 0 ? 1 : 0,
    lane.busyMs,
  ];
  for (const lane of lanes) {
    if (!lane.smokeDone || lane.chunks.length === 0) continue;
    if (best === undefined) {
      best = lane;
      continue;
    }
    const [a, b] = [key(lane), key(best)];
    if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) best = lane;
  }
  return best;
}

export async function runInterleaved(
  families: readonly ProbeFamily[],
  options: ScheduleOptions,
): Promise<FamilyResult[]> {
  const width = Math.max(1, options.width);
  const opening = pLimit(width);
  const runs = await Promise.all(
    families.map((family) =>
      opening(async () => {
        const run = options.open(family, await options.replay(family));
        await run.start();
        return run;
      }),
    ),
  );

  const groupOf = options.groupOf ?? (() => "all");
  const lanes: Lane[] = runs.map((run) => ({
    run,
    group: groupOf(run.family),
    chunks: run.chunks.filter((c) => !c.smoke),
    smokeDone: false,
    busyMs: 0,
    inFlight: 0,
  }));
  const finished = new Map<FamilyRun, Promise<FamilyResult>>();
  const finishIfDone = (lane: Lane): void => {
    if (lane.smokeDone && lane.chunks.length === 0 && lane.inFlight === 0 && !finished.has(lane.run))
      finished.set(lane.run, lane.run.finish());
  };
  // Workers with nothing to take wait here for a family to end its smoke round.
  let smokeEnded: (() => void) | undefined;
  let smokeEnd = new Promise<void>((resolve) => (smokeEnded = resolve));

  // The smoke round: every family fires its smoke chunks (one run each) in turn, all families at
  // once, so each has one probe in flight and the target serves them in turn. No family waits for
  // another: a slow probe, or a failure being shrunk, holds back only its own family.
  const smoke = Promise.all(
    lanes.map(async (lane) => {
      for (const chunk of lane.run.chunks.filter((c) => c.smoke)) await lane.run.runChunk(chunk);
      lane.smokeDone = true;
      finishIfDone(lane);
      const ended = smokeEnded;
      smokeEnd = new Promise<void>((resolve) => (smokeEnded = resolve));
      ended?.();
    }),
  );

  // The long tail, drained by `width` workers, each taking a chunk of a family whose smoke round
  // is over. A chunk of a family that has stopped (a finding, an error, the budget) returns at
  // once, so it never holds a worker.
  const worker = async (group: string): Promise<void> => {
    const mine = lanes.filter((l) => l.group === group);
    for (;;) {
      const lane = nextLane(mine);
      if (lane === undefined) {
        if (mine.every((l) => l.smokeDone)) return;
        await smokeEnd;
        continue;
      }
      const chunk = lane.chunks.shift() as Chunk;
      lane.inFlight++;
      const started = Date.now();
      try {
        await lane.run.runChunk(chunk);
      } finally {
        lane.busyMs += Date.now() - started;
        lane.inFlight--;
      }
      finishIfDone(lane);
    }
  };
  const groups = [...new Set(lanes.map((lane) => lane.group))];
  const widthOf = (group: string): number => Math.max(1, options.widthOf?.(group) ?? width);
  const workers = groups.flatMap((group) => Array.from({ length: widthOf(group) }, () => worker(group)));
  await Promise.all([smoke, ...workers]);
  return Promise.all(runs.map((run) => finished.get(run) ?? run.finish()));
}
