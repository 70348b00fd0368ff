import type { Prefix } from "./prefix.js";
import type { SizeEdge } from "./sizes.js";
import type { Style } from "./style.js";
import type { Escape, Mode } from "./words.js";

/** One P08 probe: a clean prefix plus escapes (or a no-op alone), rendered in a style and a size. */
export interface RollbackValue {
  readonly entropy: number;
  readonly mode: Mode;
  /** The clean prefix; null for a no-op, which must change nothing at all. */
  readonly prefix: Prefix | null;
  /** Where the escapes go: before the CREATE TABLE, between CREATE and INSERT, or at the end. */
  readonly placement: "start" | "after-create" | "end";
  readonly escapes: readonly Escape[];
  readonly style: Style;
  readonly size: SizeEdge;
}
