import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { SCHEMA_DIR } from "../../kernel/paths.js";
import { DOCUMENT_KINDS, type DocumentKind } from "./documents.js";
import { isNonce, isUtcTimestamp } from "./formats.js";
import { type CodecRejection, rejection } from "./rejection.js";

/** The raw schema files, keyed by file stem; the fuzzer's generators read the same objects (R10). */
export function loadSchemaFiles(): ReadonlyMap<string, Readonly<Record<string, unknown>>> {
  const files = new Map<string, Record<string, unknown>>();
  for (const name of readdirSync(SCHEMA_DIR).sort()) {
    if (!name.endsWith(".schema.json")) continue;
    files.set(
      name.slice(0, -".schema.json".length),
      JSON.parse(readFileSync(join(SCHEMA_DIR, name), "utf8")) as Record<string, unknown>,
    );
  }
  return files;
}

function compileAll(): {
  documents: ReadonlyMap<DocumentKind, ValidateFunction>;
  configs: ReadonlyMap<string, ValidateFunction>;
} {
  // strict mode makes ajv refuse a schema with unknown keywords or ambiguous types, so a typo in a
  // schema file fails at start-up instead of silently accepting more than it should.
  const ajv = new Ajv({ strict: true, allErrors: false, allowUnionTypes: false, strictRequired: false });
  ajv.addFormat("utc-timestamp", { type: "string", validate: isUtcTimestamp });
  ajv.addFormat("nonce", { type: "string", validate: isNonce });
  const files = loadSchemaFiles();
  for (const [name, schema] of files) if (name === "common") ajv.addSchema(schema);
  const compile = (name: string): ValidateFunction => {
    const schema = files.get(name);
    if (schema === undefined) throw new Error(`failclosed: schema file for ${name} is missing`);
    return ajv.compile(schema);
  };
  return {
    documents: new Map(DOCUMENT_KINDS.map((kind) => [kind, compile(kind)])),
    configs: new Map(CONFIG_SCHEMAS.map((name) => [name, compile(name)])),
  };
}

let validators: ReadonlyMap<DocumentKind, ValidateFunction> | undefined;
let configValidators: ReadonlyMap<string, ValidateFunction> | undefined;

/** Schemas of files that are not protocol documents (keyrings, lane configuration). */
export const CONFIG_SCHEMAS = ["keyring", "lane-config", "report"] as const;
export type ConfigSchema = (typeof CONFIG_SCHEMAS)[number];

/** Compiled once per process, on first use (R10). */
function ensureCompiled(): void {
  if (validators !== undefined) return;
  const all = compileAll();
  validators = all.documents;
  configValidators = all.configs;
}

export function validatorFor(kind: DocumentKind): ValidateFunction {
  ensureCompiled();
  const validate = validators?.get(kind);
  if (validate === undefined) throw new Error(`failclosed: no validator for ${kind}`);
  return validate;
}

export function configValidatorFor(name: ConfigSchema): ValidateFunction {
  ensureCompiled();
  const validate = configValidators?.get(name);
  if (validate === undefined) throw new Error(`failclosed: no validator for ${name}`);
  return validate;
}

const SAFE_POINTER = /^(\/([a-z0-9_]{1,32}|[0-9]{1,3}))*$/;

/** Maps ajv's first error to a stable codec code, keeping no input bytes (G7). */
export function schemaRejection(errors: readonly ErrorObject[] | null | undefined): CodecRejection {
  // if/then/else wrappers report themselves after the specific error; skip them.
  const error = (errors ?? []).find((e) => e.keyword !== "if") ?? errors?.[0];
  const path = error !== undefined && SAFE_POINTER.test(error.instancePath) ? error.instancePath : undefined;
  const extra = path === undefined ? {} : { path };
  switch (error?.keyword) {
    case "additionalProperties":
    case "not":
      return rejection("unknown_member", extra);
    case "required":
      return rejection("missing_member", extra);
    case "type":
      return rejection("wrong_type", extra);
    case "enum":
    case "const":
      return rejection("enum_mismatch", extra);
    case "format":
      return rejection(
        error.params["format"] === "utc-timestamp" ? "timestamp_invalid" : "pattern_mismatch",
        extra,
      );
    case "pattern":
      // R9: a timestamp of the wrong shape fails its pattern before its format; it is still R9.
      return rejection(
        error.schemaPath.endsWith("/definitions/timestamp/pattern")
          ? "timestamp_invalid"
          : "pattern_mismatch",
        extra,
      );
    default:
      return rejection("schema_violation", extra);
  }
}
