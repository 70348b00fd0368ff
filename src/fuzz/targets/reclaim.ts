import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * A full garbage collection, to give back the WebAssembly memory of closed PGlite instances.
 * P07 boots two embedded databases per probe; V8 counts their memory only loosely towards its
 * next collection, so without this a default run's peak grows by ~150 MB per clone probe. The
 * flag is set at run time so that users need no node option.
 */
let collect: (() => void) | undefined;

export function reclaimMemory(): void {
  if (collect === undefined) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
}
