/**
 * Splits a byte stream into lines at LF, keeping every other byte exactly as sent (a CR, invalid
 * UTF-8): an answer line is the verdict body the oracles judge, so nothing is decoded or trimmed.
 */
export class LineReader {
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** The complete lines in this chunk (plus what was pending); throws when a line grows too long. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let from = 0;
    for (let lf = chunk.indexOf(0x0a, from); lf >= 0; lf = chunk.indexOf(0x0a, from)) {
      this.#pending.push(chunk.subarray(from, lf));
      lines.push(Buffer.concat(this.#pending));
      this.#pending = [];
      this.#pendingBytes = 0;
      from = lf + 1;
    }
    if (from < chunk.length) {
      this.#pending.push(chunk.subarray(from));
      this.#pendingBytes += chunk.length - from;
      if (this.#pendingBytes > this.maxLineBytes)
        throw new RangeError(`a line longer than ${this.maxLineBytes} bytes`);
    }
    return lines;
  }

  /** Bytes after the last LF (an unterminated last line). */
  rest(): Buffer {
    return Buffer.concat(this.#pending);
  }
}
