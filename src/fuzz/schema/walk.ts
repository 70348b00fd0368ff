/**
 * Reading the JSON Schema files as data: the generator (documents.ts) and the codec's property
 * tests walk the same schema objects the codec compiles, so a generated document means what the
 * schema means. Only the keywords the schema files use are understood; any other keyword is an
 * error, so a schema change cannot silently make generated documents drift from the schema.
 */
import { loadSchemaFiles } from "../../lane/index.js";
import type { DocumentKind } from "../../lane/index.js";

export type Schema = Readonly<Record<string, unknown>>;
export type Json = string | number | boolean | null | Json[] | { [member: string]: Json };
export type JsonObject = { [member: string]: Json };

/** Every keyword the walker understands. */
export const KNOWN_KEYWORDS: ReadonlySet<string> = new Set([
  "$schema",
  "$id",
  "$ref",
  "title",
  "description",
  "definitions",
  "type",
  "const",
  "enum",
  "pattern",
  "format",
  "minLength",
  "maxLength",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "uniqueItems",
  "if",
  "then",
  "else",
  "not",
  "oneOf",
]);

let files: ReadonlyMap<string, Schema> | undefined;

function schemaFiles(): ReadonlyMap<string, Schema> {
  files ??= loadSchemaFiles();
  return files;
}

/** common.schema.json: the only target of the schema files' $refs. */
export function commonSchema(): Schema {
  const common = schemaFiles().get("common");
  if (common === undefined) throw new Error("common.schema.json is missing");
  return common;
}

export function rootSchema(kind: DocumentKind): Schema {
  const schema = schemaFiles().get(kind);
  if (schema === undefined) throw new Error(`no schema file for ${kind}`);
  return schema;
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function strings(value: unknown): readonly string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

export function schemaMap(value: unknown): Readonly<Record<string, Schema>> {
  return isObject(value) ? (value as unknown as Record<string, Schema>) : {};
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** Follows $ref into common.schema.json and refuses any keyword the walker does not know. */
export function resolve(schema: Schema): Schema {
  const definitions = schemaMap(commonSchema()["definitions"]);
  let current = schema;
  for (let hops = 0; typeof current["$ref"] === "string"; hops++) {
    const match = /^(?:urn:failclosed:schema:common)?#\/definitions\/([A-Za-z0-9_]+)$/.exec(current["$ref"]);
    const target = match?.[1] === undefined ? undefined : definitions[match[1]];
    if (target === undefined || hops > 8)
      throw new Error(`schema walker: unsupported $ref ${current["$ref"]}`);
    current = target;
  }
  for (const keyword of Object.keys(current)) {
    if (!KNOWN_KEYWORDS.has(keyword)) throw new Error(`schema walker: unknown schema keyword ${keyword}`);
  }
  return current;
}

/** The `if` form the schemas use: every listed member absent or equal to its const. */
function ifHolds(value: JsonObject, condition: Schema): boolean {
  for (const [member, sub] of Object.entries(schemaMap(condition["properties"]))) {
    if (member in value && JSON.stringify(value[member]) !== JSON.stringify(sub["const"])) return false;
  }
  return true;
}

/** The branch (then or else) an object's if/then/else selects for this value, if any. */
export function branchOf(schema: Schema, value: JsonObject): Schema | undefined {
  if (!isObject(schema["if"])) return undefined;
  const branch = ifHolds(value, schema["if"]) ? schema["then"] : schema["else"];
  return isObject(branch) ? branch : undefined;
}

/** The schema a member must satisfy in a branch: the branch's own when it names one, or the refined base. */
export function branchMemberSchema(base: Schema | undefined, branch: Schema | undefined): Schema {
  if (branch === undefined) return base ?? {};
  if (branch["$ref"] !== undefined || base === undefined) return branch;
  return { ...resolve(base), ...branch };
}
