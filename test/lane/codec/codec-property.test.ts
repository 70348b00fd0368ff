/**
 * Property tests over the schema files themselves (R10): the fuzzer's schema generator
 * (src/fuzz/schema) reads the same schema objects the codec compiles and builds fast-check
 * arbitraries for the keywords they use. Every generated document must decode; every mutation of
 * one (duplicate member, lone surrogate, BOM, excess depth, forbidden member, unknown member,
 * dropped member, changed type) must be refused with its own code. A keyword the generator does
 * not know fails loudly, so a schema change cannot silently make the generator produce documents
 * the schema does not mean.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CodecCode, DocumentKind } from "../../../src/lane/codec/index.js";
import { CODEC_CODES, DOCUMENT_KINDS, decodeDocument } from "../../../src/lane/codec/index.js";
import { documentArbitrary, schemaArbitrary } from "../../../src/fuzz/schema/documents.js";
import {
  KNOWN_KEYWORDS,
  branchMemberSchema,
  branchOf,
  commonSchema,
  isObject,
  resolve,
  rootSchema,
  schemaMap,
  strings,
  type Json,
  type JsonObject,
  type Schema,
} from "../../../src/fuzz/schema/walk.js";

type JsonType = "string" | "number" | "boolean" | "null" | "array" | "object";

const VALID_RUNS = 200;
const MUTATION_RUNS = 60;
const validDocumentArb = (kind: DocumentKind): fc.Arbitrary<JsonObject> =>
  documentArbitrary(kind) as unknown as fc.Arbitrary<JsonObject>;

// ---------------------------------------------------------------------------------------------
// Mutations work on a small JSON tree that can say what JSON.stringify cannot: duplicate members,
// members named __proto__, and names spelled with escapes.

type Path = ReadonlyArray<string | number>;
interface Entry {
  name: string;
  /** The name's JSON text when it is not JSON.stringify(name) (an escaped spelling). */
  raw?: string;
  value: Node;
}
type Node =
  | { t: "obj"; entries: Entry[] }
  | { t: "arr"; items: Node[] }
  | { t: "val"; v: string | number | boolean | null };

function toNode(value: Json): Node {
  if (Array.isArray(value)) return { t: "arr", items: value.map(toNode) };
  if (isObject(value))
    return { t: "obj", entries: Object.entries(value).map(([name, v]) => ({ name, value: toNode(v) })) };
  return { t: "val", v: value };
}

function emit(node: Node): string {
  switch (node.t) {
    case "obj":
      return `{${node.entries.map((e) => `${e.raw ?? JSON.stringify(e.name)}:${emit(e.value)}`).join(",")}}`;
    case "arr":
      return `[${node.items.map(emit).join(",")}]`;
    case "val":
      // JSON.stringify escapes a lone surrogate as \udXXX: exactly the escaped form R2 forbids.
      return JSON.stringify(node.v);
  }
}

function nodeAt(root: Node, path: Path): Node {
  let node = root;
  for (const step of path) {
    const next: Node | undefined =
      node.t === "obj"
        ? node.entries.find((e) => e.name === step)?.value
        : node.t === "arr"
          ? node.items[step as number]
          : undefined;
    if (next === undefined) throw new Error(`no node at ${path.join("/")}`);
    node = next;
  }
  return node;
}

/** Replaces the node at a non-empty path. */
function replaceAt(root: Node, path: Path, make: (old: Node) => Node): void {
  const parent = nodeAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent.t === "obj") {
    const entry = parent.entries.find((e) => e.name === last);
    if (entry === undefined) throw new Error("no such member");
    entry.value = make(entry.value);
  } else if (parent.t === "arr") {
    parent.items[last as number] = make(parent.items[last as number] as Node);
  }
}

/** `"\u0061bc"` for "abc": the same name after unescaping, other bytes before. */
function escapedSpelling(name: string): string {
  const first = name.charCodeAt(0).toString(16).padStart(4, "0");
  return `"\\u${first}${JSON.stringify(name).slice(2)}`;
}

interface ObjectSite {
  readonly path: Path;
  readonly properties: ReadonlySet<string>;
  /** Members this object requires (its own list and its active branch's). */
  readonly required: readonly string[];
  /** Members the object's if/then/else looks at: removing or retyping them switches branches. */
  readonly discriminators: ReadonlySet<string>;
}
interface ValueSite {
  readonly path: Path;
  readonly types: ReadonlySet<JsonType>;
  readonly discriminator: boolean;
}
interface Sites {
  readonly objects: ObjectSite[];
  readonly values: ValueSite[];
  readonly strings: Path[];
}

function typesOf(schemaIn: Schema): Set<JsonType> {
  const schema = resolve(schemaIn);
  if (Array.isArray(schema["oneOf"]))
    return new Set((schema["oneOf"] as Schema[]).flatMap((s) => [...typesOf(s)]));
  const type = schema["type"];
  if (type === "integer") return new Set(["number"]);
  if (typeof type === "string") return new Set([type as JsonType]);
  throw new Error("generator: a member schema without a type");
}

/** Walks a generated document with its schema and lists where each mutation can apply. */
function collectSites(value: Json, schemaIn: Schema, path: Path, sites: Sites): void {
  const schema = resolve(schemaIn);
  if (typeof value === "string") sites.strings.push(path);
  if (Array.isArray(value)) {
    const items = schema["items"] as Schema;
    value.forEach((item, i) => {
      sites.values.push({ path: [...path, i], types: typesOf(items), discriminator: false });
      collectSites(item, items, [...path, i], sites);
    });
  } else if (isObject(value)) {
    const properties = schemaMap(schema["properties"]);
    const branch = branchOf(schema, value);
    const branchProperties = schemaMap(branch?.["properties"]);
    const discriminators = new Set(
      Object.keys(schemaMap(isObject(schema["if"]) ? schema["if"]["properties"] : undefined)),
    );
    sites.objects.push({
      path,
      properties: new Set(Object.keys(properties)),
      required: [...strings(schema["required"]), ...strings(branch?.["required"])],
      discriminators,
    });
    for (const [member, child] of Object.entries(value)) {
      const memberSchema = branchMemberSchema(properties[member], branchProperties[member]);
      sites.values.push({
        path: [...path, member],
        types: typesOf(memberSchema),
        discriminator: discriminators.has(member),
      });
      sites.strings.push([...path, member, "#name"]);
      collectSites(child, memberSchema, [...path, member], sites);
    }
  }
}

const SAMPLE_BY_TYPE: Readonly<Record<JsonType, Json>> = {
  string: "x",
  number: 7,
  boolean: true,
  null: null,
  array: [],
  object: {},
};

const R7_CODES: ReadonlySet<CodecCode> = new Set(
  (Object.keys(CODEC_CODES) as CodecCode[]).filter((code) => CODEC_CODES[code] === "R7"),
);

interface Mutated {
  readonly bytes: Uint8Array;
  /** The exact code, or for a discriminator member (if/then/else) any R7 code. */
  readonly expect: CodecCode | "any-R7";
  readonly what: string;
}

type Pick = <T>(items: readonly T[]) => T;

const MUTATIONS = {
  /** R3: a member name twice in one object, sometimes spelled with an escape. */
  duplicate_member(doc, kind, pick) {
    const root = toNode(doc);
    const site = pick(collect(doc, kind).objects.filter((o) => nodeOf(root, o.path).entries.length > 0));
    const object = nodeOf(root, site.path);
    const original = pick(object.entries);
    const escaped = pick([false, true]);
    const copy: Entry = escaped
      ? { name: original.name, raw: escapedSpelling(original.name), value: original.value }
      : { ...original };
    object.entries.splice(pick(range(object.entries.length + 1)), 0, copy);
    return {
      bytes: utf8(emit(root)),
      expect: "duplicate_member",
      what: `${original.name} twice (escaped: ${escaped})`,
    };
  },
  /** R2: a lone surrogate inserted into some string, value or member name. */
  lone_surrogate(doc, kind, pick) {
    const root = toNode(doc);
    const path = pick(collect(doc, kind).strings);
    const surrogate = pick(["\ud800", "\udbff", "\udc00", "\udfff"]);
    const insert = (s: string): string => {
      const at = pick(range(s.length + 1));
      return s.slice(0, at) + surrogate + s.slice(at);
    };
    if (path[path.length - 1] === "#name") {
      const object = nodeOf(root, path.slice(0, -2));
      const entry = object.entries.find((e) => e.name === path[path.length - 2]);
      if (entry !== undefined) entry.name = insert(entry.name);
    } else {
      replaceAt(root, path, (old) => ({ t: "val", v: insert(old.t === "val" ? String(old.v) : "") }));
    }
    return { bytes: utf8(emit(root)), expect: "lone_surrogate", what: `surrogate in ${path.join("/")}` };
  },
  /** R1: a byte-order mark before the document. */
  bom(doc) {
    return {
      bytes: new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(JSON.stringify(doc))]),
      expect: "bom",
      what: "BOM",
    };
  },
  /** R4: some value (or the whole document) wrapped in 32 more levels of arrays. */
  too_deep(doc, kind, pick) {
    const root = toNode(doc);
    const wrap = (node: Node): Node => {
      let out = node;
      for (let i = 0; i < 32; i++) out = { t: "arr", items: [out] };
      return out;
    };
    const site = pick([undefined, ...collect(doc, kind).values]);
    if (site === undefined)
      return { bytes: utf8(emit(wrap(root))), expect: "too_deep", what: "root wrapped" };
    replaceAt(root, site.path, wrap);
    return { bytes: utf8(emit(root)), expect: "too_deep", what: `${site.path.join("/")} wrapped` };
  },
  /** R6: a member named __proto__, constructor or prototype, in any object, maybe escaped. */
  forbidden_member(doc, kind, pick) {
    const root = toNode(doc);
    const site = pick(collect(doc, kind).objects);
    const object = nodeOf(root, site.path);
    const name = pick(["__proto__", "constructor", "prototype"]);
    const escaped = pick([false, true]);
    const value = toNode(pick([{ polluted: true }, null, "x", 1] as Json[]));
    const entry: Entry = escaped ? { name, raw: escapedSpelling(name), value } : { name, value };
    object.entries.splice(pick(range(object.entries.length + 1)), 0, entry);
    return { bytes: utf8(emit(root)), expect: "forbidden_member", what: `${name} in ${site.path.join("/")}` };
  },
  /** R7: a member the object's schema does not list. */
  unknown_member(doc, kind, pick) {
    const root = toNode(doc);
    const site = pick(collect(doc, kind).objects);
    const object = nodeOf(root, site.path);
    const candidates = [
      "extra",
      "x_debug",
      "selected_override",
      "alg2",
      "Kind",
      "kind ",
      "v2",
      "role",
      "id",
      "kid",
    ];
    const name = pick(candidates.filter((n) => !site.properties.has(n)));
    const value = toNode(pick(["x", 1, true, null, [], {}] as Json[]));
    object.entries.splice(pick(range(object.entries.length + 1)), 0, { name, value });
    return { bytes: utf8(emit(root)), expect: "unknown_member", what: `${name} in ${site.path.join("/")}` };
  },
  /** R7: a required member dropped. */
  missing_member(doc, kind, pick) {
    const root = toNode(doc);
    const site = pick(collect(doc, kind).objects.filter((o) => o.required.length > 0));
    const member = pick(site.required);
    const object = nodeOf(root, site.path);
    object.entries = object.entries.filter((e) => e.name !== member);
    const expect = site.discriminators.has(member) ? "any-R7" : "missing_member";
    return { bytes: utf8(emit(root)), expect, what: `${[...site.path, member].join("/")} dropped` };
  },
  /** R7: a value replaced by one of a JSON type its schema does not allow. */
  wrong_type(doc, kind, pick) {
    const root = toNode(doc);
    const site = pick(collect(doc, kind).values);
    const type = pick((Object.keys(SAMPLE_BY_TYPE) as JsonType[]).filter((t) => !site.types.has(t)));
    replaceAt(root, site.path, () => toNode(SAMPLE_BY_TYPE[type]));
    const expect = site.discriminator ? "any-R7" : "wrong_type";
    return { bytes: utf8(emit(root)), expect, what: `${site.path.join("/")} as ${type}` };
  },
} satisfies Record<string, (doc: JsonObject, kind: DocumentKind, pick: Pick) => Mutated>;

function collect(doc: JsonObject, kind: DocumentKind): Sites {
  const sites: Sites = { objects: [], values: [], strings: [] };
  collectSites(doc, rootSchema(kind), [], sites);
  return sites;
}

function nodeOf(root: Node, path: Path): Extract<Node, { t: "obj" }> {
  const node = nodeAt(root, path);
  if (node.t !== "obj") throw new Error(`not an object at ${path.join("/")}`);
  return node;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "utf8"));
}

describe("the generator reads the schema files", () => {
  it("knows every keyword the schema files use", () => {
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (isObject(node)) {
        for (const [key, value] of Object.entries(node)) {
          if (key === "properties" || key === "definitions") Object.values(value as object).forEach(walk);
          else {
            expect(KNOWN_KEYWORDS.has(key), key).toBe(true);
            walk(value);
          }
        }
      }
    };
    for (const kind of DOCUMENT_KINDS) walk(rootSchema(kind));
    walk(commonSchema());
  });

  it("refuses a schema with a keyword it does not know, instead of ignoring it", () => {
    expect(() => schemaArbitrary({ type: "string", contentEncoding: "base64" })).toThrow(
      /unknown schema keyword/,
    );
  });
});

describe.each(DOCUMENT_KINDS)("generated %s documents", (kind) => {
  it(`decodes every valid ${kind} to exactly its content (${VALID_RUNS} runs)`, () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(validDocumentArb(kind), (doc) => {
        for (const member of Object.keys(doc)) seen.add(member);
        const result = decodeDocument(kind, utf8(JSON.stringify(doc)));
        if (!result.ok) {
          throw new Error(
            `refused ${result.error.code} at ${result.error.path ?? "?"}: ${JSON.stringify(doc)}`,
          );
        }
        expect(JSON.stringify(result.value)).toBe(JSON.stringify(doc));
      }),
      { numRuns: VALID_RUNS },
    );
    // The generator must reach every member the schema lists, optional ones included.
    expect([...seen].sort()).toEqual(Object.keys(schemaMap(rootSchema(kind)["properties"])).sort());
  });

  it.each(Object.keys(MUTATIONS) as Array<keyof typeof MUTATIONS>)(
    `refuses every ${kind} mutated by %s with its code`,
    (mutation) => {
      fc.assert(
        fc.property(validDocumentArb(kind), fc.gen(), (doc, g) => {
          const pick: Pick = (items) => {
            if (items.length === 0) throw new Error("nothing to pick from");
            return items[g(fc.nat, { max: items.length - 1 })] as (typeof items)[number];
          };
          const mutated = MUTATIONS[mutation](doc, kind, pick);
          const result = decodeDocument(kind, mutated.bytes);
          const got = result.ok ? "accepted" : result.error.code;
          if (mutated.expect === "any-R7") {
            expect(R7_CODES.has(got as CodecCode), `${mutated.what}: got ${got}`).toBe(true);
          } else {
            expect(got, mutated.what).toBe(mutated.expect);
          }
        }),
        { numRuns: MUTATION_RUNS },
      );
    },
  );
});
