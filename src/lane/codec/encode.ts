import { FailclosedError } from "../../kernel/errors.js";
import { decodeDocument } from "./decode.js";
import type { DocumentKind, DocumentsByKind } from "./documents.js";

/**
 * Serialises a document the lane produces, then decodes the bytes with the strict codec: the lane
 * never emits a document that it, or a peer, would reject. A failure here is a programming error.
 */
export function encodeDocument<K extends DocumentKind>(kind: K, doc: DocumentsByKind[K]): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(doc), "utf8");
  const check = decodeDocument(kind, bytes);
  if (!check.ok) {
    throw new FailclosedError(
      "DOCUMENT_INVALID",
      `refusing to emit an invalid ${kind} document: ${check.error.code}${check.error.path ?? ""}`,
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
