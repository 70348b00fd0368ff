import { readFileSync } from "node:fs";
import { FailclosedError } from "../kernel/errors.js";

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => Promise<Buffer>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Standard streams whose reader has gone away; what would have gone to them is dropped. */
const gone = new WeakSet<NodeJS.WritableStream>();

/**
 * A reader that leaves early (`failclosed run | head -3`) makes the next write fail with EPIPE,
 * and an 'error' event nobody listens to kills the process: the run would die mid-way and never
 * write its report. A failed write to a standard stream is therefore never fatal: the stream is
 * marked gone and the command carries on to its report and its own exit code. Every error is
 * treated alike (EPIPE, a full disk under a redirect, EIO), for the same reason.
 */
export function tolerateClosedReader(stream: NodeJS.WritableStream): void {
  stream.on("error", () => {
    gone.add(stream);
  });
}

/** Writes unless the stream's reader is gone; never throws. */
export function writeTolerantly(stream: NodeJS.WritableStream, text: string): void {
  if (gone.has(stream)) return;
  try {
    stream.write(text);
  } catch {
    gone.add(stream);
  }
}

/** The process's own streams; main.ts calls tolerateClosedReader on both before anything runs. */
export const processIo: Io = {
  stdout: (text) => writeTolerantly(process.stdout, text),
  stderr: (text) => writeTolerantly(process.stderr, text),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
  env: process.env,
};

/** Inputs larger than this are refused rather than read into memory. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Reads a file, or standard input for "-"; errors name the path and carry FILE_UNREADABLE. */
export async function readInput(io: Io, path: string): Promise<Buffer> {
  const bytes = path === "-" ? await io.stdin() : readFileOrFail(path);
  if (bytes.length > MAX_INPUT_BYTES)
    throw new FailclosedError("FILE_UNREADABLE", `${path}: larger than ${MAX_INPUT_BYTES} bytes`);
  return bytes;
}

function readFileOrFail(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "error";
    throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot read (${code})`, { cause });
  }
}

export { jwsText } from "../lane/seal/jws-text.js";
