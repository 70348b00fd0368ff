import fc from "fast-check";
import type { RuleId } from "../vocab/rule-id.js";
import { mutationPlace, type JsonPath, type Mutation } from "./json-render.js";

/**
 * A mutation together with the SPEC rule it breaks and a few words on how, so every shrunk probe
 * still says why it is bad. The rule is a RuleId: a typo is a type error.
 */
export interface Malformation {
  readonly mutation: Mutation;
  readonly rule: RuleId;
  readonly what: string;
}

export type MemberType = "string" | "integer" | "enum" | "timestamp" | "identifier" | "array";

/** What a family tells the catalog about one member of the document it attacks. */
export interface MemberSpec {
  readonly name: string;
  readonly type: MemberType;
  readonly value: unknown;
}

const HOMOGLYPHS: Readonly<Record<string, string>> = {
  A: "\u0410",
  B: "\u0412",
  C: "\u0421",
  E: "\u0415",
  H: "\u041d",
  K: "\u041a",
  M: "\u041c",
  O: "\u041e",
  P: "\u0420",
  T: "\u0422",
  X: "\u0425",
  a: "\u0430",
  c: "\u0441",
  e: "\u0435",
  o: "\u043e",
  p: "\u0440",
};

/** R8: spellings a lenient comparison would take for the real value. Never equal to it. */
export function lookalikes(value: string): string[] {
  const swap = [...value].findIndex((c) => HOMOGLYPHS[c] !== undefined);
  const fullwidth = [...value]
    .map((c) => (c >= "!" && c <= "~" ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c))
    .join("");
  const variants = [
    value.toLowerCase(),
    value.toUpperCase(),
    `${value} `,
    ` ${value}`,
    `${value}\u200d`,
    `${value.slice(0, 1)}\u200b${value.slice(1)}`,
    fullwidth,
    `${value}\u0000`,
    swap === -1 ? `${value}.` : [...value].map((c, i) => (i === swap ? (HOMOGLYPHS[c] ?? c) : c)).join(""),
  ];
  return [...new Set(variants)].filter((v) => v !== value);
}

const member = (spec: MemberSpec): JsonPath => [spec.name];
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function wrongTypes(spec: MemberSpec): string[] {
  const asString = JSON.stringify(String(spec.value));
  switch (spec.type) {
    case "integer":
      return [asString, "true", "null", "[1]"];
    case "array":
      return ['"[]"', "{}", "null", "1"];
    default:
      return [
        `[${JSON.stringify(spec.value)}]`,
        "123",
        "null",
        "true",
        `{"value":${JSON.stringify(spec.value)}}`,
      ];
  }
}

/** Every way the catalog can break one member of a document. */
function memberMalformations(spec: MemberSpec): fc.Arbitrary<Malformation>[] {
  const path = member(spec);
  const out: fc.Arbitrary<Malformation>[] = [
    fc
      .record({
        raw: fc.constantFrom(JSON.stringify(spec.value), '"x"', "1"),
        escapeName: fc.boolean(),
      })
      .map(({ raw, escapeName }) => ({
        mutation: { kind: "duplicate", path: [], name: spec.name, raw, escapeName },
        rule: "R3",
        what: `duplicate member ${spec.name}`,
      })),
    fc.constant<Malformation>({
      mutation: { kind: "remove", path },
      rule: "R7",
      what: `required member ${spec.name} missing`,
    }),
    fc.constantFrom(...wrongTypes(spec)).map((raw) => ({
      mutation: { kind: "replace", path, raw },
      rule: "R7",
      what: `${spec.name} of the wrong JSON type`,
    })),
  ];
  if (typeof spec.value === "string") {
    out.push(
      fc.constantFrom("\\ud800", "\\udc00", "\\udfff\\ud800").map((surrogate) => ({
        mutation: { kind: "replace", path, raw: `"${JSON.stringify(spec.value).slice(1, -1)}${surrogate}"` },
        rule: "R2",
        what: `lone surrogate in ${spec.name}`,
      })),
      fc.constant<Malformation>({
        mutation: { kind: "replace", path, raw: JSON.stringify("y".repeat(4_097)) },
        rule: "R4",
        what: `${spec.name} over 4,096 characters`,
      }),
    );
  }
  if (spec.type === "enum" || spec.type === "identifier") {
    // A case variant of an identifier is just another valid identifier: only spellings that fail
    // the R11 pattern are malformed. Enumerations must match byte for byte, so every variant is.
    const variants = lookalikes(String(spec.value)).filter(
      (v) => spec.type === "enum" || !IDENTIFIER.test(v),
    );
    out.push(
      fc.constantFrom(...variants).map((v) => ({
        mutation: { kind: "replace", path, raw: JSON.stringify(v) },
        rule: "R8",
        what: `look-alike ${spec.name}`,
      })),
    );
  }
  if (spec.type === "identifier") {
    out.push(
      fc
        .constantFrom("-starts-with-dash", ".dot", "has space", "x".repeat(65), "caf\u00e9", "line\n")
        .map((v) => ({
          mutation: { kind: "replace", path, raw: JSON.stringify(v) },
          rule: "R11",
          what: `malformed identifier ${spec.name}`,
        })),
    );
  }
  if (spec.type === "integer") {
    out.push(
      fc
        .constantFrom("1.0", "1e0", "1E+0", "10e-1", "-0", "9007199254740993", "1.00000000000000001")
        .map((raw) => ({
          mutation: { kind: "replace", path, raw },
          rule: "R5",
          what: raw === "-0" ? `negative zero in ${spec.name}` : `${spec.name} not a safe integer`,
        })),
    );
  }
  if (spec.type === "timestamp" && typeof spec.value === "string") {
    const t = spec.value;
    out.push(
      fc
        .constantFrom(
          `${t.slice(0, 19)}.000Z`,
          `${t.slice(0, 19)}+00:00`,
          t.replace("T", "t"),
          t.replace("T", " "),
          `${t.slice(0, 5)}02-31${t.slice(10)}`,
          `${t.slice(0, 11)}24:00:00Z`,
          t.slice(0, 19),
        )
        .map((v) => ({
          mutation: { kind: "replace", path, raw: JSON.stringify(v) },
          rule: "R9",
          what: `${spec.name} not an RFC 3339 UTC instant`,
        })),
    );
  }
  return out;
}

/** Breaks of the whole document rather than one member. */
function documentMalformations(): fc.Arbitrary<Malformation>[] {
  return [
    fc.constantFrom("bom", "invalid-utf8", "overlong", "trailing").map((op) => ({
      mutation: { kind: "bytes", op },
      rule: "R1",
      what:
        op === "trailing" ? "bytes after the document" : op === "bom" ? "byte-order mark" : "invalid UTF-8",
    })),
    fc.constant<Malformation>({
      mutation: { kind: "bytes", op: "oversize" },
      rule: "R4",
      what: "document over 65,536 bytes",
    }),
    fc.constantFrom("__proto__", "constructor", "prototype").map((name) => ({
      mutation: {
        kind: "add",
        path: [],
        name,
        raw: '{"selected":"AUTHORIZE_PRODUCTION_EXECUTION","isAdmin":true}',
      },
      rule: "R6",
      what: `forbidden member ${name}`,
    })),
    fc.stringMatching(/^[a-z][a-z_]{0,11}$/).map((name) => ({
      mutation: { kind: "add", path: [], name: `x_${name}`, raw: '"extra"' },
      rule: "R7",
      what: `unknown member x_${name}`,
    })),
    // R4's rehearsal exception (a migration up to 1 MiB, a request up to 1 MiB + 64 KiB) belongs to
    // rehearsal requests only: a codec that applies it to every document takes these.
    fc.constant<Malformation>({
      mutation: { kind: "bytes", op: "oversize-rehearsal" },
      rule: "R4",
      what: "document over 1 MiB + 64 KiB, a rehearsal request's own limit",
    }),
    fc.constant<Malformation>({
      mutation: { kind: "add", path: [], name: "migration", raw: JSON.stringify("-".repeat(1_048_577)) },
      rule: "R4",
      what: "a migration of 1 MiB + 1 characters where none belongs",
    }),
    fc.integer({ min: 33, max: 64 }).map((depth) => ({
      mutation: { kind: "add", path: [], name: "x_deep", raw: `${"[".repeat(depth)}${"]".repeat(depth)}` },
      rule: "R4",
      what: `nesting deeper than 32`,
    })),
  ];
}

/**
 * One to three malformations on distinct members of a document, each breaking a rule on its own,
 * so any subset fast-check shrinks to is still a bad document.
 */
export function malformationsOf(members: readonly MemberSpec[], maxLength = 3): fc.Arbitrary<Malformation[]> {
  const one = fc.oneof(...members.flatMap(memberMalformations), ...documentMalformations());
  return fc.uniqueArray(one, { minLength: 1, maxLength, selector: (m) => mutationPlace(m.mutation) });
}
