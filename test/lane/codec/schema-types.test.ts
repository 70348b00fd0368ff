/**
 * R10: the JSON Schema files are the source of truth and the TypeScript side mirrors them. These
 * tests pin every const array of documents.ts (and the seal tables) to the enums in the schema
 * files, in order, so neither can drift without a red test; the type-level checks make tsc fail
 * when a union type and its schema enum disagree.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type {
  Action,
  Actor,
  BlockerStatus,
  GateReason,
  GateVerdict,
  LaneReason,
  Mode,
  Option,
  RehearsalVerdict,
  SealType,
} from "../../../src/lane/codec/index.js";
import {
  ACTIONS,
  BLOCKER_STATUSES,
  DOCUMENT_KINDS,
  GATE_REASONS,
  IRREVERSIBLE_ACTIONS,
  LANE_REASONS,
  OPTIONS,
  SEAL_TYPES,
  loadSchemaFiles,
} from "../../../src/lane/codec/index.js";
import { CONFIG_SCHEMAS } from "../../../src/lane/codec/schemas.js";
import { ROLES, SEALING_ROLES } from "../../../src/lane/seal/index.js";

type Schema = Readonly<Record<string, unknown>>;
const files = loadSchemaFiles();

function file(name: string): Schema {
  const schema = files.get(name);
  if (schema === undefined) throw new Error(`schema file ${name} is missing`);
  return schema;
}

/** Follows a path of member names through nested schema objects. */
function at(schema: Schema, ...path: string[]): Schema {
  let node: unknown = schema;
  for (const step of path) {
    node = (node as Record<string, unknown> | undefined)?.[step];
    if (node === undefined) throw new Error(`schema has no ${path.join("/")}`);
  }
  return node as Schema;
}

function definition(name: string): Schema {
  return at(file("common"), "definitions", name);
}

describe("const arrays of documents.ts equal the schema enums, in order", () => {
  it("OPTIONS (weakest first) = common#/definitions/option", () => {
    expect([...OPTIONS]).toEqual(definition("option")["enum"]);
  });

  it("ACTIONS = common#/definitions/action", () => {
    expect([...ACTIONS]).toEqual(definition("action")["enum"]);
  });

  it("IRREVERSIBLE_ACTIONS are actions, and exactly those after REAL_RUN", () => {
    expect([...IRREVERSIBLE_ACTIONS]).toEqual(ACTIONS.slice(ACTIONS.indexOf("REAL_RUN") + 1));
  });

  it("BLOCKER_STATUSES = decision-packet blockers/items/status", () => {
    const status = at(file("decision-packet"), "properties", "blockers", "items", "properties", "status");
    expect([...BLOCKER_STATUSES]).toEqual(status["enum"]);
  });

  it("GATE_REASONS = common#/definitions/gate_reason", () => {
    expect([...GATE_REASONS]).toEqual(definition("gate_reason")["enum"]);
  });

  it("LANE_REASONS = common#/definitions/lane_reason", () => {
    expect([...LANE_REASONS]).toEqual(definition("lane_reason")["enum"]);
  });

  it("the verdict and reasons of verdict, rehearsal-result and evidence use those enums", () => {
    const ref = (name: string): Schema => ({ $ref: `urn:failclosed:schema:common#/definitions/${name}` });
    expect(at(file("verdict"), "properties", "reasons", "items")).toEqual(ref("gate_reason"));
    expect(at(file("rehearsal-result"), "properties", "reasons", "items")).toEqual(ref("lane_reason"));
    expect(at(file("evidence"), "properties", "reasons", "items")).toEqual(ref("lane_reason"));
    expect(at(file("decision-packet"), "properties", "selected")).toEqual(ref("option"));
    for (const name of ["grant", "action-request", "permit"]) {
      expect(at(file(name), "properties", "action"), name).toEqual(ref("action"));
    }
  });
});

describe("union types equal the schema enums (checked by tsc, and at run time)", () => {
  // Each literal list is typed against the union both ways: a value missing from the union fails
  // `satisfies`, and a union member missing from the list fails expectTypeOf's equality.
  const ACTORS = ["owner", "operator"] as const satisfies readonly Actor[];
  const MODES = ["transactional", "snapshot_restore"] as const satisfies readonly Mode[];
  const REHEARSAL_VERDICTS = ["PASS", "FAIL", "REFUSED"] as const satisfies readonly RehearsalVerdict[];
  const GATE_VERDICTS = ["ALLOW", "HOLD", "DENY"] as const satisfies readonly GateVerdict[];

  it("Actor = blockers/items/actors/items", () => {
    expectTypeOf<(typeof ACTORS)[number]>().toEqualTypeOf<Actor>();
    const actors = at(
      file("decision-packet"),
      "properties",
      "blockers",
      "items",
      "properties",
      "actors",
      "items",
    );
    expect([...ACTORS]).toEqual(actors["enum"]);
  });

  it("Mode = common#/definitions/mode", () => {
    expectTypeOf<(typeof MODES)[number]>().toEqualTypeOf<Mode>();
    expect([...MODES]).toEqual(definition("mode")["enum"]);
  });

  it("RehearsalVerdict = rehearsal-result and evidence verdict enums", () => {
    expectTypeOf<(typeof REHEARSAL_VERDICTS)[number]>().toEqualTypeOf<RehearsalVerdict>();
    expect([...REHEARSAL_VERDICTS]).toEqual(at(file("rehearsal-result"), "properties", "verdict")["enum"]);
    expect([...REHEARSAL_VERDICTS]).toEqual(at(file("evidence"), "properties", "verdict")["enum"]);
  });

  it("GateVerdict = verdict enum", () => {
    expectTypeOf<(typeof GATE_VERDICTS)[number]>().toEqualTypeOf<GateVerdict>();
    expect([...GATE_VERDICTS]).toEqual(at(file("verdict"), "properties", "verdict")["enum"]);
  });

  it("the const-derived unions are exactly the const arrays", () => {
    expectTypeOf<(typeof OPTIONS)[number]>().toEqualTypeOf<Option>();
    expectTypeOf<(typeof ACTIONS)[number]>().toEqualTypeOf<Action>();
    expectTypeOf<(typeof BLOCKER_STATUSES)[number]>().toEqualTypeOf<BlockerStatus>();
    expectTypeOf<(typeof GATE_REASONS)[number]>().toEqualTypeOf<GateReason>();
    expectTypeOf<(typeof LANE_REASONS)[number]>().toEqualTypeOf<LaneReason>();
  });
});

describe("document kinds, seal types and roles equal the schemas", () => {
  it("every document kind has a schema file, and its kind const names it", () => {
    for (const kind of DOCUMENT_KINDS) {
      const schema = file(kind);
      if (kind === "jws-header") continue;
      expect(at(schema, "properties", "kind"), kind).toEqual({ type: "string", const: kind });
    }
  });

  it("every schema file is a document kind, common, or a configuration schema", () => {
    // baseline: the release gate's file of known findings (src/fuzz/baseline), read by the fuzzer only;
    // calibration: `failclosed calibrate`'s report (src/fuzz/calibrate), likewise.
    const known = new Set<string>([
      ...DOCUMENT_KINDS,
      "common",
      ...CONFIG_SCHEMAS,
      "baseline",
      "calibration",
    ]);
    for (const name of files.keys()) expect(known.has(name), name).toBe(true);
  });

  it("SEAL_TYPES = jws-header typ enum, and each names its kind", () => {
    expect(Object.keys(SEAL_TYPES)).toEqual(at(file("jws-header"), "properties", "typ")["enum"]);
    for (const [typ, kind] of Object.entries(SEAL_TYPES)) {
      expect(typ).toBe(kind === null ? "artifact+jws" : `${kind}+jws`);
    }
    expectTypeOf<keyof typeof SEALING_ROLES>().toEqualTypeOf<SealType>();
    expect(Object.keys(SEALING_ROLES).sort()).toEqual(Object.keys(SEAL_TYPES).sort());
  });

  it("the JWS header's alg enum is exactly the two allowed algorithms (S2)", () => {
    expect(at(file("jws-header"), "properties", "alg")["enum"]).toEqual(["EdDSA", "HS256"]);
  });

  it("ROLES = the keyring schema's role enum, in both key shapes", () => {
    const variants = at(file("keyring"), "properties", "keys", "items")["oneOf"] as Schema[];
    expect(variants).toHaveLength(2);
    for (const variant of variants) expect(at(variant, "properties", "role")["enum"]).toEqual([...ROLES]);
  });

  it("every document schema refuses members it does not list (R7)", () => {
    for (const kind of DOCUMENT_KINDS) expect(file(kind)["additionalProperties"], kind).toBe(false);
  });
});
