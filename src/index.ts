// The public programmatic surface. Probes and external users import from here only.
export * from "./lane/result.js";
export * from "./lane/errors.js";
