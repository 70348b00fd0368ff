import { type Result, err, ok } from "../../kernel/result.js";
import type { DocumentKind, DocumentsByKind } from "./documents.js";
import { type CodecRejection, rejection } from "./rejection.js";
import { scanRehearsalRequest } from "./long-migration.js";
import { scanJson } from "./scanner.js";
import { schemaRejection, validatorFor } from "./schemas.js";
import { checkSemantics } from "./semantics.js";

export type Decoded<K extends DocumentKind> = Result<DocumentsByKind[K], CodecRejection>;

/**
 * The codec's one entry point: bytes and the kind the caller expects in, a typed frozen document or
 * a rejection out. Every R rule is enforced on the way; nothing is coerced, trimmed or normalised.
 */
export function decodeDocument<K extends DocumentKind>(kind: K, bytes: Uint8Array): Decoded<K> {
  const scanned = kind === "rehearsal-request" ? scanRehearsalRequest(bytes) : scanJson(bytes);
  if (!scanned.ok) return scanned;
  const value = scanned.value;
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return err(rejection("not_object"));
  const validate = validatorFor(kind);
  if (!validate(value)) return err(schemaRejection(validate.errors));
  const doc = value as unknown as DocumentsByKind[K];
  const semantic = checkSemantics(kind, doc);
  if (semantic !== undefined) return err(semantic);
  return ok(deepFreeze(doc));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const member of Object.values(value as object)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}
