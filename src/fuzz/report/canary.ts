/**
 * The canary scanner (made elsewhere): given the full text about to be written, it names the
 * encoding a planted canary was found in (raw, base64, hex, ...), or undefined when clean.
 */
export type CanaryScan = (text: string) => string | undefined;

/**
 * A canary from the keyring under test was about to be written to reports/. Nothing was written.
 * The message names the file and the encoding, never the canary or the surrounding text.
 */
export class CanaryInOutputError extends Error {
  override readonly name = "CanaryInOutputError";
  readonly code = "CANARY_IN_OUTPUT";
  constructor(
    readonly file: string,
    readonly encoding: string,
  ) {
    super(`failclosed: a planted canary (${encoding.slice(0, 32)}) appeared in ${file}; nothing was written`);
  }
}

export function isCanaryInOutputError(value: unknown): value is CanaryInOutputError {
  return value instanceof CanaryInOutputError;
}

/** One file's name (relative to the report directory) and the exact text to write. */
export interface PendingFile {
  readonly name: string;
  readonly text: string;
}

/** Scans every file before any is written, so a hit in one leaves the whole set unwritten. */
export function assertNoCanary(files: readonly PendingFile[], scan: CanaryScan): void {
  for (const file of files) {
    const encoding = scan(file.text);
    if (encoding !== undefined) throw new CanaryInOutputError(file.name, encoding);
  }
}
