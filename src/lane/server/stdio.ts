import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { encodeDocument } from "../codec/encode.js";
import { MAX_DOCUMENT_BYTES } from "../codec/limits.js";
import { scanJson } from "../codec/scanner.js";
import type { RehearsalResult, VerdictDocument } from "../codec/documents.js";
import type { JsonObject, JsonValue } from "../codec/scanner.js";
import type { Service } from "./service.js";

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && value !== undefined && typeof value === "object" && !Array.isArray(value);
}

/** Base64 of a whole document plus the envelope fits well within this. */
const MAX_LINE_CHARS = Math.ceil((MAX_DOCUMENT_BYTES + 1) / 3) * 4 + 256;

type Envelope = { readonly op: "decide" | "rehearse"; readonly body: Uint8Array };

const BAD_DECIDE: VerdictDocument = { kind: "verdict", v: 1, verdict: "DENY", reasons: ["malformed_input"] };
const BAD_REHEARSE: RehearsalResult = {
  kind: "rehearsal-result",
  v: 1,
  verdict: "REFUSED",
  reasons: ["malformed_input"],
};
const INTERNAL_DECIDE: VerdictDocument = {
  kind: "verdict",
  v: 1,
  verdict: "DENY",
  reasons: ["internal_error"],
};
const INTERNAL_REHEARSE: RehearsalResult = {
  kind: "rehearsal-result",
  v: 1,
  verdict: "FAIL",
  reasons: ["internal_error"],
};

/**
 * T3 envelope: exactly {"op": "decide"|"rehearse", "body_b64": canonical standard base64}, as
 * strict JSON. Anything else gets a malformed-input answer of the kind its op asked for.
 */
function parseEnvelope(line: string): Envelope | { readonly op: "decide" | "rehearse"; readonly bad: true } {
  // The envelope carries a whole document in one string: R4's limits apply to that document,
  // inside the gate or the lane, not to the envelope around it.
  const scanned =
    line.length > MAX_LINE_CHARS
      ? undefined
      : scanJson(Buffer.from(line, "utf8"), {
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

/**
 * Serves JSON lines: one request a line in, one answer a line out, in order. Returns when the
 * input ends. Answers are strict JSON documents, which never contain a raw newline.
 */
export async function serveJsonLines(service: Service, input: Readable, output: Writable): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === "") continue;
    const envelope = parseEnvelope(line);
    let bytes: Uint8Array;
    if ("bad" in envelope) {
      bytes =
        envelope.op === "rehearse"
          ? encodeDocument("rehearsal-result", BAD_REHEARSE)
          : encodeDocument("verdict", BAD_DECIDE);
    } else {
      try {
        bytes = (await service[envelope.op](envelope.body)).bytes;
      } catch {
        // G6: an exception inside the service is a refusal, never the end of the server.
        bytes =
          envelope.op === "rehearse"
            ? encodeDocument("rehearsal-result", INTERNAL_REHEARSE)
            : encodeDocument("verdict", INTERNAL_DECIDE);
      }
    }
    const written = output.write(Buffer.concat([bytes, Buffer.from("\n")]));
    if (!written) await new Promise<void>((resolve) => output.once("drain", () => resolve()));
  }
}
