// The public programmatic surface. Probes and external users import from here only.
export * from "./kernel/result.js";
export * from "./kernel/errors.js";
export * from "./lane/codec/index.js";
export * from "./lane/seal/index.js";
export * from "./fuzz/index.js";
