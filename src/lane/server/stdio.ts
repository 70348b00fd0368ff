import type { Readable, Writable } from "node:stream";
import { MAX_REHEARSAL_REQUEST_BYTES } from "../codec/limits.js";
import { scanJson } from "../codec/scanner.js";
import type { JsonObject, JsonValue } from "../codec/scanner.js";
import { boundedLines } from "./bounded-lines.js";
import { internalErrorAnswer, malformedAnswer, type Operation } from "./refusals.js";
import type { Service } from "./service.js";

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);
}

/**
 * The longest line served: base64 of the largest document R4 admits (a rehearsal request with a
 * 1 MiB migration, 1 MiB + 64 KiB) plus the envelope. A longer line is answered like HTTP's 413,
 * with a malformed-input refusal, and dropped without being held.
 */
export const MAX_LINE_BYTES = Math.ceil(MAX_REHEARSAL_REQUEST_BYTES / 3) * 4 + 256;
const MAX_LINE_CHARS = MAX_LINE_BYTES;

type Envelope = { readonly op: "decide" | "rehearse"; readonly body: Uint8Array };

/**
 * T3 envelope: exactly {"op": "decide"|"rehearse", "body_b64": canonical standard base64}, as
 * strict JSON. Anything else gets a malformed-input answer of the kind its op asked for.
 */
function parseEnvelope(line: Buffer): Envelope | { readonly op: Operation; readonly bad: true } {
  // The envelope carries a whole document in one string: R4's limits apply to that document,
  // inside the gate or the lane, not to the envelope around it.
  const scanned =
    line.length > MAX_LINE_CHARS
      ? undefined
      : scanJson(line, {
          maxDocumentBytes: MAX_LINE_CHARS,
          maxStringChars: MAX_LINE_CHARS,
        });
  const value = scanned?.ok === true ? scanned.value : undefined;
  const object = isObject(value) ? value : undefined;
  const op = object?.["op"] === "rehearse" ? "rehearse" : "decide";
  const keys = object === undefined ? [] : Object.keys(object);
  const b64 = object?.["body_b64"];
  const wellFormed =
    object !== undefined &&
    keys.length === 2 &&
    (object["op"] === "decide" || object["op"] === "rehearse") &&
    typeof b64 === "string" &&
    /^[A-Za-z0-9+/]*={0,2}$/.test(b64) &&
    Buffer.from(b64, "base64").toString("base64") === b64;
  if (!wellFormed) return { op, bad: true };
  return { op, body: Buffer.from(b64, "base64") };
}

/** Which operation an over-long line asked for, read from its first bytes; decide if unclear. */
function operationOf(prefix: Buffer): Operation {
  return /^\s*\{\s*"op"\s*:\s*"rehearse"/.test(prefix.toString("latin1")) ? "rehearse" : "decide";
}

/**
 * Serves JSON lines: one request a line in, one answer a line out, in order. Returns when the
 * input ends, or when the output is closed by its reader (EPIPE): then nothing more can be
 * answered, and the caller closes the service cleanly; an ALLOW's audit entry is committed before
 * its answer is written, so none is lost. Answers are strict JSON documents, which never contain
 * a raw newline.
 */
export async function serveJsonLines(service: Service, input: Readable, output: Writable): Promise<void> {
  let closed = false;
  const wake: Array<() => void> = [];
  const onError = (): void => {
    closed = true;
    for (const resolve of wake.splice(0)) resolve();
    // Nobody reads the answers any more: stop waiting for requests.
    input.destroy();
  };
  output.on("error", onError);
  output.once("close", onError);
  try {
    for await (const line of boundedLines(input, MAX_LINE_BYTES)) {
      if (closed) break;
      let bytes: Uint8Array;
      if (line.kind === "oversize") bytes = malformedAnswer(operationOf(line.prefix));
      else if (line.bytes.length === 0 || (line.bytes.length === 1 && line.bytes[0] === 0x0d)) continue;
      else bytes = await answer(service, trimCarriageReturn(line.bytes));
      if (closed) break;
      const written = output.write(Buffer.concat([bytes, Buffer.from("\n")]));
      if (!written && !closed) {
        await new Promise<void>((resolve) => {
          wake.push(resolve);
          output.once("drain", () => resolve());
        });
      }
      if (closed) break;
    }
  } catch (error) {
    // The input destroyed above ends its iteration with an error; any other is real.
    if (!closed) throw error;
  } finally {
    output.off("error", onError);
    output.off("close", onError);
    // Late errors (an EPIPE reported after we stopped) must not become uncaught exceptions.
    output.on("error", () => undefined);
  }
}

async function answer(service: Service, line: Buffer): Promise<Uint8Array> {
  const envelope = parseEnvelope(line);
  if ("bad" in envelope) return malformedAnswer(envelope.op);
  try {
    return (await service[envelope.op](envelope.body)).bytes;
  } catch {
    // G6: an exception inside the service is a refusal, never the end of the server.
    return internalErrorAnswer(envelope.op);
  }
}

/** readline treated CRLF as a line end; so does this server. */
function trimCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}
