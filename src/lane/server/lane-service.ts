import { openLane, type Lane, type LaneOptions } from "../rehearsal/lane.js";
import type { LaneConfig } from "../rehearsal/config.js";
import { classifyWrittenRehearsal, type Answer } from "./service.js";

/** The rehearsal lane behind the transports' `rehearse` operation. */
export async function openLaneAnswerer(
  config: LaneConfig,
  options: LaneOptions,
): Promise<{ lane: Lane; rehearse: (body: Uint8Array) => Promise<Answer> }> {
  const lane = await openLane(config, options);
  return {
    lane,
    async rehearse(body) {
      const answer = await lane.rehearse(body);
      return { bytes: answer.bytes, class: classifyWrittenRehearsal(answer.bytes) };
    },
  };
}
