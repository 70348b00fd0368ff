/**
 * The official SARIF 2.1.0 JSON Schema (schemas/third-party/, a draft-04 schema), compiled with
 * ajv's own draft-04 class and ajv-formats, so uri and date-time are checked too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { SCHEMA_DIR } from "../../src/kernel/paths.js";

const schema = JSON.parse(
  readFileSync(join(SCHEMA_DIR, "third-party", "sarif-2.1.0-rtm.5.json"), "utf8"),
) as object;
// The schema's own `language` pattern ends in a stray "]", legal only without the u flag: ajv is
// told to compile patterns as the schema's authors did (strict is off for a schema not ours).
const ajv = new Ajv04.default({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

/** Every schema error of a SARIF log, as "path: message"; empty when it is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || "/"}: ${error.message ?? error.keyword}`,
  );
}
