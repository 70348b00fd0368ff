import type { SideChannels } from "../types.js";

/** Side channels of a probe that produced nothing outside its answer (or whose target is remote). */
export const NO_CHANNELS: SideChannels = Object.freeze({
  stdout: "",
  stderr: "",
  files: new Map<string, Uint8Array>(),
  rows: Object.freeze([]),
});
