import { encodeDocument } from "../codec/encode.js";
import type { RehearsalResult } from "../codec/documents.js";
import { lockDirectory } from "../db/directory-lock.js";
import { Mutex } from "../db/mutex.js";
import { loadLaneConfig } from "../rehearsal/config.js";
import { openLane, type LaneOptions } from "../rehearsal/lane.js";
import type { Answer } from "./service.js";
import { classifyWrittenRehearsal } from "./service.js";

/**
 * `serve --lane-reload`: the lane's configuration file is read, and its clone opened, afresh for
 * every rehearsal, and the clone is closed again after it. Between rehearsals the lane holds
 * nothing, so an operator (or failclosed's clone hook, `failclosed clone hook`) can change the
 * clone's marker or the production identities the way they would on a real lane: by editing the
 * clone and the configuration, never through a request (SPEC section 6). Rehearsals run one at a
 * time. A configuration that no longer loads, or a clone that does not open, is a FAIL: never a
 * PASS on a lane that is not what it was configured to be.
 *
 * While a rehearsal runs, the lane holds the lock of `rehearsalLockOf(configPath)` (a file
 * beside the configuration): whoever changes the clone between rehearsals takes it first, so a
 * change never lands in the middle of one (a client that gave up waiting does not end it).
 */
/** The lock a rehearsal holds, and a clone hook takes before it changes the clone. */
export function rehearsalLockOf(configPath: string): string {
  return `${configPath}.rehearsal`;
}

export async function openReloadingLaneAnswerer(
  configPath: string,
  options: LaneOptions,
): Promise<{ lane: { close(): Promise<void> }; rehearse: (body: Uint8Array) => Promise<Answer> }> {
  // Checked at start-up as a long-lived lane would be: a bad configuration never starts serving.
  await (await openLane(loadLaneConfig(configPath), options)).close();
  const oneAtATime = new Mutex();
  const failed: RehearsalResult = {
    kind: "rehearsal-result",
    v: 1,
    verdict: "FAIL",
    reasons: ["internal_error"],
  };
  return {
    lane: { close: () => oneAtATime.run(() => Promise.resolve()) },
    rehearse: (body) =>
      oneAtATime.run(async () => {
        let bytes: Uint8Array;
        try {
          const lock = await lockDirectory(rehearsalLockOf(configPath));
          try {
            const lane = await openLane(loadLaneConfig(configPath), options);
            try {
              bytes = (await lane.rehearse(body)).bytes;
            } finally {
              await lane.close();
            }
          } finally {
            await lock.release();
          }
        } catch {
          bytes = encodeDocument("rehearsal-result", failed);
        }
        return { bytes, class: classifyWrittenRehearsal(bytes) };
      }),
  };
}
