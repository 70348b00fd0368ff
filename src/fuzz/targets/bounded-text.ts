/**
 * Output collected between two looks (a child's stderr, stray stdout), bounded so a chatty target
 * cannot exhaust the fuzzer's memory: the first `limit` bytes are kept, and a marker says how many
 * more were dropped. The head is kept rather than the tail because a leak is usually early.
 */
export class BoundedText {
  #chunks: Buffer[] = [];
  #size = 0;
  #dropped = 0;

  constructor(private readonly limit: number) {}

  append(chunk: Buffer): void {
    const room = this.limit - this.#size;
    if (room <= 0) {
      this.#dropped += chunk.length;
      return;
    }
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.#chunks.push(kept);
    this.#size += kept.length;
    this.#dropped += chunk.length - kept.length;
  }

  /** Everything since the previous take, as text; the buffer starts empty again. */
  take(): string {
    const text = Buffer.concat(this.#chunks).toString("utf8");
    const dropped = this.#dropped;
    this.#chunks = [];
    this.#size = 0;
    this.#dropped = 0;
    return dropped === 0 ? text : `${text}\n[failclosed: ${dropped} more bytes not kept]\n`;
  }
}
