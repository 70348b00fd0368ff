/**
 * D01's flawed keyring loader: the keyring file read with `JSON.parse` straight from disk before
 * the strict loader sees it, as a quick start script would. A keyring cut short stops the gate
 * with a bare SyntaxError and its stack, not an error with a stable code (S7, F4); a missing file
 * with a bare ENOENT.
 */
import { readFile } from "node:fs/promises";
import { loadKeyringFromSources, type KeyringSource } from "../../../lane/index.js";
import type { KeyringLoader } from "../../faults/start-drill.js";

export const keyringJsonParse: KeyringLoader = async (paths, options) => {
  const sources: KeyringSource[] = [];
  for (const path of paths) {
    const text = await readFile(path, "utf8");
    // Parsed only to "check" it; the parse error escapes as it is.
    JSON.parse(text);
    sources.push({ source: path, bytes: new Uint8Array(Buffer.from(text, "utf8")) });
  }
  return loadKeyringFromSources(sources, options);
};
