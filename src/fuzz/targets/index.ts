/** The fuzzer's targets: the reference lane in process (T1), any gate over HTTP (T2) or as a child (T3). */
export { openReferenceTarget, type ReferenceTargetOptions } from "./reference.js";
export { openHttpTarget, type HttpTargetOptions } from "./http.js";
export { openChildTarget, type ChildTargetOptions } from "./child.js";
export { openInProcessTarget, type InProcessOptions, type InProcessSystem } from "./in-process.js";
export { splitKeyring, type SplitKeyring } from "./keyring-split.js";
export { NO_CHANNELS } from "./channels.js";
