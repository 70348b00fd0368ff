// The programmatic run API: what `failclosed run` and `failclosed replay` do, as functions that
// return results. The command line is a thin layer over these.
export type { TargetSpec, RunOptions, RunResult, ReplayOptions, ReplayResult } from "./types.js";
export { runFailclosed, RUN_DEFAULTS } from "./run-failclosed.js";
export { replayFailclosed } from "./replay-failclosed.js";
export { runExitCode, replayExitCode, reportExitCode } from "./exit-code.js";
export { describeTarget } from "./target-spec.js";
