import { readFileSync } from "node:fs";
import { FailclosedError } from "../kernel/errors.js";

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => Promise<Buffer>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const processIo: Io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
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
