/**
 * Valid protocol documents generated from the JSON Schema files (R10), as fast-check arbitraries:
 * the families' schema-drawn bases and the codec's property tests use the same generator. No
 * maintained library turns draft-07 schemas with if/then/else and our two formats into fast-check
 * arbitraries, so this small one is written by hand, over the keywords the files actually use.
 */
import fc from "fast-check";
import {
  formatTimestamp,
  timestampSeconds,
  GRANT_MAX_WINDOW_SECONDS,
  PACKET_MAX_LIFETIME_SECONDS,
  PERMIT_MAX_LIFETIME_SECONDS,
} from "../../lane/index.js";
import type { DocumentKind, DocumentsByKind } from "../../lane/index.js";
import {
  branchMemberSchema,
  branchOf,
  isObject,
  num,
  resolve,
  rootSchema,
  schemaMap,
  strings,
  type Json,
  type JsonObject,
  type Schema,
} from "./walk.js";

/** Free text is capped and arrays grow a few items past their minimum: bases stay small and fast. */
const MAX_TEXT_CHARS = 40;
const MAX_EXTRA_ITEMS = 4;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const MIN_SECONDS = timestampSeconds("2000-01-01T00:00:00Z");
const MAX_SECONDS = timestampSeconds("2099-12-31T23:59:59Z");
const timestampArb = fc.integer({ min: MIN_SECONDS, max: MAX_SECONDS }).map(formatTimestamp);
const nonceArb = fc
  .uint8Array({ minLength: 16, maxLength: 64 })
  .map((bytes) => Buffer.from(bytes).toString("base64url"));

function stringArb(schema: Schema): fc.Arbitrary<string> {
  const min = num(schema["minLength"]) ?? 0;
  const max = num(schema["maxLength"]);
  const fits = (s: string): boolean => {
    const length = [...s].length;
    return length >= min && (max === undefined || length <= max);
  };
  if (schema["format"] === "utc-timestamp") return timestampArb;
  if (schema["format"] === "nonce") return nonceArb;
  if (schema["format"] !== undefined)
    throw new Error(`schema generator: unknown format ${JSON.stringify(schema["format"])}`);
  if (typeof schema["pattern"] === "string") {
    return fc.stringMatching(new RegExp(schema["pattern"])).filter(fits);
  }
  // Free text: any Unicode (astral characters included), never a lone surrogate.
  return fc
    .string({ unit: "grapheme", minLength: min, maxLength: Math.min(max ?? MAX_TEXT_CHARS, MAX_TEXT_CHARS) })
    .filter(fits);
}

function arrayArb(schema: Schema): fc.Arbitrary<Json[]> {
  const itemSchema = schema["items"];
  if (!isObject(itemSchema)) throw new Error("schema generator: arrays need items");
  const items = schemaArbitrary(itemSchema);
  const minLength = num(schema["minItems"]) ?? 0;
  // Small arrays keep generation fast; the R4 limit of 256 is tested in scanner and decode tests.
  const maxLength = Math.min(num(schema["maxItems"]) ?? 256, minLength + MAX_EXTRA_ITEMS);
  if (schema["uniqueItems"] === true) {
    return fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) });
  }
  return fc.array(items, { minLength, maxLength });
}

function objectArb(schema: Schema): fc.Arbitrary<JsonObject> {
  if (schema["additionalProperties"] !== false)
    throw new Error("schema generator: objects must be closed (R7)");
  const properties = schemaMap(schema["properties"]);
  const model: Record<string, fc.Arbitrary<Json>> = {};
  for (const [member, sub] of Object.entries(properties)) model[member] = schemaArbitrary(sub);
  const base = fc.record(model, {
    requiredKeys: [...strings(schema["required"])],
  }) as fc.Arbitrary<JsonObject>;
  if (schema["if"] === undefined) return base;
  return base.chain((value) => {
    const branch = branchOf(schema, value);
    if (branch === undefined) return fc.constant(value);
    const out: JsonObject = { ...value };
    for (const member of strings(isObject(branch["not"]) ? branch["not"]["required"] : undefined))
      delete out[member];
    const branchProperties = schemaMap(branch["properties"]);
    const redo: Record<string, fc.Arbitrary<Json>> = {};
    for (const member of strings(branch["required"])) {
      if (!(member in out))
        redo[member] = schemaArbitrary(branchMemberSchema(properties[member], branchProperties[member]));
    }
    for (const member of Object.keys(branchProperties)) {
      if (member in out)
        redo[member] = schemaArbitrary(branchMemberSchema(properties[member], branchProperties[member]));
    }
    return fc.record(redo).map((extra) => ({ ...out, ...extra }));
  });
}

/** Values valid under one schema (a member's, or a whole document's), by the schema's keywords alone. */
export function schemaArbitrary(schemaIn: Schema): fc.Arbitrary<Json> {
  const schema = resolve(schemaIn);
  if ("const" in schema) return fc.constant(schema["const"] as Json);
  if (Array.isArray(schema["enum"])) return fc.constantFrom(...(schema["enum"] as Json[]));
  if (Array.isArray(schema["oneOf"])) return fc.oneof(...(schema["oneOf"] as Schema[]).map(schemaArbitrary));
  switch (schema["type"]) {
    case "string":
      return stringArb(schema);
    case "integer":
      return fc.integer({ min: -MAX_SAFE, max: MAX_SAFE });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return arrayArb(schema);
    case "object":
      return objectArb(schema);
    default:
      throw new Error(`schema generator: unsupported type ${String(schema["type"])}`);
  }
}

/** A time window of at most `max` seconds from `from`, as the clock-free semantics require. */
function withWindow(
  raw: fc.Arbitrary<JsonObject>,
  from: string,
  to: string,
  max: number,
): fc.Arbitrary<JsonObject> {
  return fc.tuple(raw, fc.integer({ min: 1, max })).map(([doc, span]) => ({
    ...doc,
    [to]: formatTimestamp(timestampSeconds(doc[from] as string) + span),
  }));
}

function uniqueBlockerIds(doc: JsonObject): JsonObject {
  const seen = new Set<string>();
  const blockers = (doc["blockers"] as JsonObject[]).filter((b) => {
    const fresh = !seen.has(b["id"] as string);
    seen.add(b["id"] as string);
    return fresh;
  });
  return { ...doc, blockers };
}

const cache = new Map<DocumentKind, fc.Arbitrary<unknown>>();

/**
 * Whole documents the codec accepts: the schema's keywords plus the clock-free rules JSON Schema
 * cannot state (semantics.ts: time windows, unique blocker ids). Typed by kind; the codec's
 * property tests check that every one of them decodes to exactly itself.
 */
export function documentArbitrary<K extends DocumentKind>(kind: K): fc.Arbitrary<DocumentsByKind[K]> {
  // Building one walks the schema and compiles its patterns (milliseconds); arbitraries are
  // immutable, so each kind's is built once and shared, even by families that chain per value.
  let built = cache.get(kind);
  if (built === undefined) {
    built = buildDocumentArbitrary(kind);
    cache.set(kind, built);
  }
  return built as fc.Arbitrary<DocumentsByKind[K]>;
}

function buildDocumentArbitrary<K extends DocumentKind>(kind: K): fc.Arbitrary<DocumentsByKind[K]> {
  const raw = schemaArbitrary(rootSchema(kind)) as fc.Arbitrary<JsonObject>;
  const valid = ((): fc.Arbitrary<JsonObject> => {
    switch (kind) {
      case "decision-packet":
        return withWindow(raw, "issued_at", "expires_at", PACKET_MAX_LIFETIME_SECONDS).map(uniqueBlockerIds);
      case "grant":
        return withWindow(raw, "not_before", "expires_at", GRANT_MAX_WINDOW_SECONDS);
      case "permit":
        return withWindow(raw, "issued_at", "expires_at", PERMIT_MAX_LIFETIME_SECONDS);
      case "action-request":
      case "verdict":
      case "rehearsal-request":
      case "rehearsal-result":
      case "evidence":
      case "clone-marker":
      case "jws-header":
        return raw;
    }
  })();
  return valid as unknown as fc.Arbitrary<DocumentsByKind[K]>;
}
