import type { Readable } from "node:stream";

/**
 * Lines of a byte stream, each at most `maxBytes` long (without its newline). A longer line is
 * never held whole: past the limit only its first `keepBytes` are kept (enough to tell which
 * operation it asked for) and the rest is dropped as it arrives, up to the next newline.
 * Hand-written because readline buffers a line without limit (issue #13: a 600 MB line ended in
 * `RangeError: Invalid string length`). A last line without a newline counts as a line.
 */
export type BoundedLine =
  { readonly kind: "line"; readonly bytes: Buffer } | { readonly kind: "oversize"; readonly prefix: Buffer };

const NEWLINE = 0x0a;

export async function* boundedLines(
  input: Readable,
  maxBytes: number,
  keepBytes = 64,
): AsyncGenerator<BoundedLine, void, undefined> {
  let parts: Buffer[] = [];
  let size = 0;
  let oversize: Buffer | undefined;
  for await (const chunk of input) {
    let data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer);
    for (;;) {
      const end = data.indexOf(NEWLINE);
      const piece = end === -1 ? data : data.subarray(0, end);
      if (oversize === undefined) {
        if (size + piece.length > maxBytes) {
          oversize = Buffer.from(Buffer.concat([...parts, piece]).subarray(0, keepBytes));
          parts = [];
          size = 0;
        } else {
          // Copied: the stream may reuse the chunk's memory once this generator yields.
          if (piece.length > 0) parts.push(Buffer.from(piece));
          size += piece.length;
        }
      } else if (oversize.length < keepBytes) {
        oversize = Buffer.concat([oversize, piece.subarray(0, keepBytes - oversize.length)]);
      }
      if (end === -1) break;
      if (oversize !== undefined) yield { kind: "oversize", prefix: oversize };
      else yield { kind: "line", bytes: Buffer.concat(parts, size) };
      parts = [];
      size = 0;
      oversize = undefined;
      data = data.subarray(end + 1);
    }
  }
  if (oversize !== undefined) yield { kind: "oversize", prefix: oversize };
  else if (size > 0) yield { kind: "line", bytes: Buffer.concat(parts, size) };
}
