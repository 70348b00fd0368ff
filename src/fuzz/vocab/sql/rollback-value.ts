import type { Prefix } from "./prefix.js";
import type { Style } from "./style.js";
import type { Escape, Mode } from "./words.js";

/** One P08 probe: a clean prefix plus escapes, rendered in a style. */
export interface RollbackValue {
  readonly entropy: number;
  readonly mode: Mode;
  readonly prefix: Prefix;
  /** Where the escapes go: before the CREATE TABLE, between CREATE and INSERT, or at the end. */
  readonly placement: "start" | "after-create" | "end";
  readonly escapes: readonly Escape[];
  readonly style: Style;
}
