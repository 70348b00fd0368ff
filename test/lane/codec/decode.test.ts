/**
 * decodeDocument(kind, bytes), the codec's one entry point, against SPEC R1-R11 on real protocol
 * documents. Byte-level rules are covered in depth in scanner.test.ts; here each rule is shown to
 * reach through the entry point, and the schema-level rules (R7, R8, R9, R11) are covered in full.
 */
import { describe, expect, it } from "vitest";
import type { DocumentKind } from "../../../src/lane/codec/index.js";
import {
  DOCUMENT_KINDS,
  GRANT_MAX_WINDOW_SECONDS,
  MAX_DOCUMENT_BYTES,
  PACKET_MAX_LIFETIME_SECONDS,
  PERMIT_MAX_LIFETIME_SECONDS,
  decodeDocument,
  encodeDocument,
  isMalformed,
} from "../../../src/lane/codec/index.js";
import {
  EXAMPLES,
  FIXED_NOW,
  at,
  docBytes,
  exampleActionRequest,
  exampleAllowVerdict,
  exampleCloneMarker,
  exampleEvidence,
  exampleGrant,
  exampleJwsHeader,
  examplePacket,
  examplePermit,
  exampleRehearsalRequest,
  exampleRehearsalResult,
  exampleVerdict,
  utf8,
  withMembers,
  withoutMember,
} from "../../support/documents.js";

interface Outcome {
  readonly code: string;
  readonly rule?: string;
  readonly path?: string;
}

/** "accepted", or the rejection's code, rule and path: what the tests assert on. */
function decode(kind: DocumentKind, doc: unknown): Outcome {
  return decodeBytes(kind, typeof doc === "string" ? utf8(doc) : docBytes(doc));
}

function decodeBytes(kind: DocumentKind, bytes: Uint8Array): Outcome {
  const result = decodeDocument(kind, bytes);
  if (result.ok) return { code: "accepted" };
  const { code, rule, path } = result.error;
  return path === undefined ? { code, rule } : { code, rule, path };
}

function codeOf(kind: DocumentKind, doc: unknown): string {
  return decode(kind, doc).code;
}

describe("valid documents of every kind", () => {
  for (const kind of DOCUMENT_KINDS) {
    it(`accepts the example ${kind} and returns exactly its content`, () => {
      const doc = EXAMPLES[kind]();
      const result = decodeDocument(kind, docBytes(doc));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(JSON.parse(JSON.stringify(result.value))).toEqual(doc);
    });

    it(`returns a deeply frozen, null-prototype ${kind} (R6)`, () => {
      const result = decodeDocument(kind, docBytes(EXAMPLES[kind]()));
      if (!result.ok) throw new Error(result.error.code);
      const stack: unknown[] = [result.value];
      while (stack.length > 0) {
        const value = stack.pop();
        if (value === null || typeof value !== "object") continue;
        expect(Object.isFrozen(value)).toBe(true);
        if (!Array.isArray(value)) expect(Object.getPrototypeOf(value)).toBeNull();
        stack.push(...(Object.values(value) as unknown[]));
      }
      expect((result.value as { toString?: unknown }).toString).toBeUndefined();
    });

    it(`round-trips the ${kind} through encodeDocument`, () => {
      const doc = EXAMPLES[kind]();
      expect(JSON.parse(Buffer.from(encodeDocument(kind, doc)).toString("utf8"))).toEqual(doc);
    });
  }

  it("accepts the variants the schemas' if/then/else allow", () => {
    expect(codeOf("grant", exampleGrant("QT001_APPLY"))).toBe("accepted");
    expect(codeOf("action-request", exampleActionRequest("QT001_APPLY"))).toBe("accepted");
    expect(codeOf("verdict", exampleAllowVerdict())).toBe("accepted");
    const fail = withMembers(withoutMember(exampleRehearsalResult(), "evidence"), {
      verdict: "FAIL",
      reasons: ["no_change"],
      after_apply: null,
    });
    expect(codeOf("rehearsal-result", fail)).toBe("accepted");
  });

  it("refuses to encode an invalid document (the lane never emits what it would reject)", () => {
    const bad = withMembers(examplePacket(), { selected: "ALLOW_EVERYTHING" }) as never;
    expect(() => encodeDocument("decision-packet", bad)).toThrow(/enum_mismatch/);
  });
});

describe("R1-R6 reach through decodeDocument and count as malformed input", () => {
  const packet = JSON.stringify(examplePacket());
  const cases: ReadonlyArray<readonly [string, Uint8Array, string]> = [
    ["BOM", new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(packet)]), "bom"],
    [
      "invalid UTF-8",
      new Uint8Array([...utf8(packet.slice(0, -2)), 0xc0, 0xaf, ...utf8("]}")]),
      "utf8_invalid",
    ],
    ["trailing garbage", utf8(`${packet}x`), "syntax"],
    ["lone surrogate", utf8(packet.replace('"B-1"', '"B-1\\ud800"')), "lone_surrogate"],
    ["duplicate member", utf8(packet.replace('"v":1', '"v":1,"\\u0076":1')), "duplicate_member"],
    ["excess depth", utf8(packet.replace('"v":1', `"v":${"[".repeat(32)}1${"]".repeat(32)}`)), "too_deep"],
    ["number 1.0", utf8(packet.replace('"v":1', '"v":1.0')), "number_not_integer"],
    ["number 1e0", utf8(packet.replace('"v":1', '"v":1e0')), "number_not_integer"],
    ["number -0", utf8(packet.replace('"v":1', '"v":-0')), "negative_zero"],
    [
      "__proto__ member",
      utf8(packet.replace('"v":1', '"v":1,"__proto__":{"selected":"x"}')),
      "forbidden_member",
    ],
  ];
  for (const [name, bytes, code] of cases) {
    it(`refuses a decision packet with ${name} as ${code}`, () => {
      const outcome = decodeBytes("decision-packet", bytes);
      expect(outcome.code).toBe(code);
      expect(isMalformed(outcome.code as never)).toBe(true);
    });
  }

  it("accepts a document padded with whitespace to exactly 65,536 bytes and refuses one byte more", () => {
    const text = JSON.stringify(examplePacket());
    const padded = text + " ".repeat(MAX_DOCUMENT_BYTES - text.length);
    expect(decodeBytes("decision-packet", utf8(padded)).code).toBe("accepted");
    expect(decodeBytes("decision-packet", utf8(`${padded} `)).code).toBe("too_large");
  });

  it("R4's exception: a migration beyond 4,096 characters is accepted (edges in long-migration.test.ts)", () => {
    const doc = (n: number): unknown => withMembers(exampleRehearsalRequest(), { migration: "x".repeat(n) });
    expect(codeOf("rehearsal-request", doc(4097))).toBe("accepted");
    expect(codeOf("decision-packet", withMembers(examplePacket(), { packet_id: "X".repeat(4097) }))).toBe(
      "string_too_long",
    );
  });

  it("accepts 256 blockers and refuses 257 with array_too_long", () => {
    const blockers = (n: number): unknown[] =>
      Array.from({ length: n }, (_, i) => ({ id: `B-${i}`, status: "OPEN", actors: ["owner"], gate: "g" }));
    expect(codeOf("decision-packet", withMembers(examplePacket(), { blockers: blockers(256) }))).toBe(
      "accepted",
    );
    expect(codeOf("decision-packet", withMembers(examplePacket(), { blockers: blockers(257) }))).toBe(
      "array_too_long",
    );
  });

  it("accepts ±(2^53−1) where the schema allows any integer and the scanner decides", () => {
    // v must be 1, so the largest safe integer is refused by the schema, not by R5.
    expect(decode("grant", withMembers(exampleGrant(), { v: 9007199254740991 })).code).toBe("enum_mismatch");
    expect(
      decode("grant", JSON.stringify(exampleGrant()).replace('"v":1', '"v":9007199254740992')).code,
    ).toBe("number_out_of_range");
  });
});

describe("R7: the root is an object with exactly the schema's members and types", () => {
  const roots: ReadonlyArray<readonly [string, string]> = [
    ["array", "[]"],
    ["array holding the document", `[${JSON.stringify(exampleGrant())}]`],
    ["string", '"grant"'],
    ["number", "1"],
    ["null", "null"],
    ["boolean", "true"],
  ];
  for (const [name, text] of roots) {
    it(`refuses a root ${name} with not_object`, () => {
      expect(decode("grant", text)).toEqual({ code: "not_object", rule: "R7" });
    });
  }

  for (const kind of DOCUMENT_KINDS) {
    it(`refuses an unknown member in a ${kind} with unknown_member`, () => {
      expect(decode(kind, withMembers(EXAMPLES[kind](), { extra: "x" }))).toEqual({
        code: "unknown_member",
        rule: "R7",
        path: "",
      });
    });
  }

  it("refuses an unknown member in a nested blocker", () => {
    const packet = examplePacket();
    const blockers = [{ ...packet.blockers[0], note: "x" }];
    expect(decode("decision-packet", withMembers(packet, { blockers }))).toEqual({
      code: "unknown_member",
      rule: "R7",
      path: "/blockers/0",
    });
  });

  for (const kind of DOCUMENT_KINDS) {
    const doc = EXAMPLES[kind]();
    for (const member of Object.keys(doc)) {
      const optional = ["artifact_sha256", "evidence", "request_id", "permit", "rehearsal_id"].includes(
        member,
      );
      if (optional || (kind === "rehearsal-result" && member !== "kind" && member !== "v")) continue;
      it(`refuses a ${kind} without ${member} with missing_member`, () => {
        expect(decode(kind, withoutMember(doc, member))).toEqual({
          code: "missing_member",
          rule: "R7",
          path: "",
        });
      });
    }
  }

  it("refuses a PASS rehearsal result without its digests and evidence", () => {
    for (const member of [
      "rehearsal_id",
      "before",
      "after_apply",
      "after_rollback",
      "evidence_tree",
      "evidence",
    ]) {
      expect(decode("rehearsal-result", withoutMember(exampleRehearsalResult(), member)).code).toBe(
        "missing_member",
      );
    }
  });

  const types: ReadonlyArray<readonly [DocumentKind, string, unknown]> = [
    ["grant", "v", "1"],
    ["grant", "v", [1]],
    ["grant", "v", true],
    ["grant", "action", ["REAL_RUN"]],
    ["grant", "action", null],
    ["grant", "grant_id", 1],
    ["grant", "nonce", null],
    ["decision-packet", "selected", ["AUTHORIZE_PRODUCTION_EXECUTION"]],
    ["decision-packet", "selected", null],
    ["decision-packet", "blockers", {}],
    ["decision-packet", "evidence", "0000"],
    ["decision-packet", "kind", null],
    ["action-request", "grants", "a.b.c"],
    ["action-request", "packet", ["a.b.c"]],
    ["permit", "grants", "grant-1"],
    ["rehearsal-request", "migration", 1],
    ["clone-marker", "issued_at", 1_900_000_000],
    ["evidence", "before", 0],
    ["jws-header", "kid", null],
  ];
  for (const [kind, member, value] of types) {
    it(`refuses ${kind}.${member} = ${JSON.stringify(value)} with wrong_type (no coercion)`, () => {
      expect(decode(kind, withMembers(EXAMPLES[kind](), { [member]: value }))).toEqual({
        code: "wrong_type",
        rule: "R7",
        path: `/${member}`,
      });
    });
  }

  it("refuses wrong types inside arrays and nested objects", () => {
    const packet = examplePacket();
    expect(decode("decision-packet", withMembers(packet, { blockers: ["B-1"] })).code).toBe("wrong_type");
    const blocker = { ...packet.blockers[0], actors: "owner" };
    expect(decode("decision-packet", withMembers(packet, { blockers: [blocker] }))).toEqual({
      code: "wrong_type",
      rule: "R7",
      path: "/blockers/0/actors",
    });
    expect(decode("permit", withMembers(examplePermit(), { grants: [1] })).code).toBe("wrong_type");
  });

  it("refuses a PASS result with a null digest (then-branch types apply)", () => {
    expect(decode("rehearsal-result", withMembers(exampleRehearsalResult(), { before: null })).code).toBe(
      "wrong_type",
    );
  });

  it("enforces the QT001_APPLY conditionals exactly", () => {
    expect(decode("grant", withoutMember(exampleGrant("QT001_APPLY"), "artifact_sha256")).code).toBe(
      "missing_member",
    );
    const stray = withMembers(exampleGrant("REAL_RUN"), { artifact_sha256: "a".repeat(64) });
    expect(decode("grant", stray).code).toBe("unknown_member");
    expect(
      decode("action-request", withoutMember(exampleActionRequest("QT001_APPLY"), "evidence")).code,
    ).toBe("missing_member");
    const strayEvidence = withMembers(exampleActionRequest("REAL_RUN"), { evidence: "a.b.c" });
    expect(decode("action-request", strayEvidence).code).toBe("unknown_member");
  });

  it("enforces the verdict conditionals: a permit only with ALLOW, reasons with HOLD/DENY", () => {
    expect(decode("verdict", withoutMember(exampleAllowVerdict(), "permit")).code).toBe("missing_member");
    expect(decode("verdict", withMembers(exampleVerdict(), { permit: "a.b.c" })).code).toBe("unknown_member");
    expect(decode("verdict", withMembers(exampleVerdict(), { reasons: [] })).code).toBe("schema_violation");
  });

  it("refuses duplicate blocker ids with duplicate_id and other duplicates by uniqueItems", () => {
    const packet = examplePacket();
    const first = packet.blockers[0];
    expect(
      decode("decision-packet", withMembers(packet, { blockers: [first, { ...first, gate: "other" }] })),
    ).toEqual({ code: "duplicate_id", rule: "R7", path: "/blockers/1/id" });
    const evidence = [packet.evidence[0], packet.evidence[0]];
    expect(decode("decision-packet", withMembers(packet, { evidence })).code).toBe("schema_violation");
    const actors = { ...first, actors: ["owner", "owner"] };
    expect(decode("decision-packet", withMembers(packet, { blockers: [actors] })).code).toBe(
      "schema_violation",
    );
    const none = { ...first, actors: [] };
    expect(decode("decision-packet", withMembers(packet, { blockers: [none] })).code).toBe(
      "schema_violation",
    );
  });

  it("refuses a document of another kind with enum_mismatch on /kind when its shape fits", () => {
    expect(decode("grant", withMembers(exampleGrant(), { kind: "permit" }))).toEqual({
      code: "enum_mismatch",
      rule: "R8",
      path: "/kind",
    });
  });

  it("refuses a whole document of another kind", () => {
    for (const kind of DOCUMENT_KINDS) {
      for (const other of DOCUMENT_KINDS) {
        if (other === kind) continue;
        const outcome = decode(kind, EXAMPLES[other]());
        expect(outcome.code, `${other} decoded as ${kind}`).not.toBe("accepted");
        expect(["R7", "R8", "R11"]).toContain(outcome.rule);
      }
    }
  });
});

/** Values that look like `value` to a person or after normalisation, but are other bytes (R8). */
function lookAlikes(value: string): Array<readonly [string, string]> {
  const homoglyphs: Readonly<Record<string, string>> = {
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
    x: "\u0445",
    y: "\u0443",
  };
  const index = [...value].findIndex((c) => homoglyphs[c] !== undefined);
  const cyrillic =
    index === -1
      ? undefined
      : value.slice(0, index) + homoglyphs[value[index] ?? ""] + value.slice(index + 1);
  const fullwidth = [...value].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
  const out: Array<readonly [string, string]> = [
    ["other case", value === value.toLowerCase() ? value.toUpperCase() : value.toLowerCase()],
    ["trailing space", `${value} `],
    ["leading space", ` ${value}`],
    ["trailing newline", `${value}\n`],
    ["fullwidth (NFKC-equivalent)", fullwidth],
    ["one fullwidth letter (NFKC-equivalent)", fullwidth.slice(0, 1) + value.slice(1)],
    ["zero-width joiner inside", `${value.slice(0, 2)}\u200d${value.slice(2)}`],
    ["zero-width space at the end", `${value}\u200b`],
    ["non-breaking space at the end", `${value}\u00a0`],
  ];
  if (cyrillic !== undefined) out.push(["Cyrillic homoglyph", cyrillic]);
  if (value.includes("K")) out.push(["Kelvin sign for K (NFKC-equivalent)", value.replace("K", "\u212a")]);
  return out;
}

describe("R8: enumerations, kinds and roles match byte for byte", () => {
  it("the look-alikes really are look-alikes (the test's own premise)", () => {
    for (const [name, variant] of lookAlikes("HOLD_PRODUCTION")) {
      expect(variant, name).not.toBe("HOLD_PRODUCTION");
      if (name.includes("NFKC")) expect(variant.normalize("NFKC"), name).toBe("HOLD_PRODUCTION");
    }
    expect(
      lookAlikes("PACKET")
        .find(([n]) => n.startsWith("Kelvin"))?.[1]
        .normalize("NFKC"),
    ).toBe("PACKET");
  });

  type Setter = (value: string) => unknown;
  const fields: ReadonlyArray<readonly [DocumentKind, string, string, Setter]> = [
    ["decision-packet", "kind", "decision-packet", (v) => withMembers(examplePacket(), { kind: v })],
    [
      "decision-packet",
      "selected",
      "AUTHORIZE_PRODUCTION_EXECUTION",
      (v) => withMembers(examplePacket(), { selected: v }),
    ],
    ["decision-packet", "selected", "HOLD_PRODUCTION", (v) => withMembers(examplePacket(), { selected: v })],
    ["decision-packet", "default", "HOLD_PRODUCTION", (v) => withMembers(examplePacket(), { default: v })],
    [
      "decision-packet",
      "blockers/0/status",
      "DISCHARGED",
      (v) => withMembers(examplePacket(), { blockers: [{ ...examplePacket().blockers[0], status: v }] }),
    ],
    [
      "decision-packet",
      "blockers/0/actors/0 (role)",
      "owner",
      (v) => withMembers(examplePacket(), { blockers: [{ ...examplePacket().blockers[0], actors: [v] }] }),
    ],
    [
      "decision-packet",
      "blockers/0/actors/0 (role)",
      "operator",
      (v) => withMembers(examplePacket(), { blockers: [{ ...examplePacket().blockers[0], actors: [v] }] }),
    ],
    ["grant", "kind", "grant", (v) => withMembers(exampleGrant(), { kind: v })],
    ["grant", "action", "REAL_RUN", (v) => withMembers(exampleGrant(), { action: v })],
    ["grant", "action", "CUTOVER", (v) => withMembers(exampleGrant(), { action: v })],
    ["grant", "target", "production", (v) => withMembers(exampleGrant(), { target: v })],
    ["action-request", "action", "DRYRUN", (v) => withMembers(exampleActionRequest(), { action: v })],
    [
      "rehearsal-request",
      "mode",
      "transactional",
      (v) => withMembers(exampleRehearsalRequest(), { mode: v }),
    ],
    ["verdict", "verdict", "DENY", (v) => withMembers(exampleVerdict(), { verdict: v })],
    ["verdict", "reasons/0", "seal_invalid", (v) => withMembers(exampleVerdict(), { reasons: [v] })],
    ["evidence", "scope", "clone", (v) => withMembers(exampleEvidence(), { scope: v })],
    ["evidence", "kind", "evidence", (v) => withMembers(exampleEvidence(), { kind: v })],
    ["jws-header", "alg", "EdDSA", (v) => withMembers(exampleJwsHeader(), { alg: v })],
    ["jws-header", "typ", "grant+jws", (v) => withMembers(exampleJwsHeader(), { typ: v })],
    ["jws-header", "typ", "decision-packet+jws", (v) => withMembers(exampleJwsHeader(), { typ: v })],
  ];
  for (const [kind, member, value, set] of fields) {
    it(`accepts ${kind} ${member} = ${value} and refuses every look-alike with enum_mismatch`, () => {
      expect(codeOf(kind, set(value))).toBe("accepted");
      for (const [name, variant] of lookAlikes(value)) {
        expect(decode(kind, set(variant)).code, `${name}: ${JSON.stringify(variant)}`).toBe("enum_mismatch");
      }
    });
  }

  const identifiers: ReadonlyArray<readonly [DocumentKind, string, string, Setter]> = [
    ["grant", "grant_id", "grant-1", (v) => withMembers(exampleGrant(), { grant_id: v })],
    ["grant", "packet_id", "PKT-2030-0001", (v) => withMembers(exampleGrant(), { packet_id: v })],
    [
      "action-request",
      "request_id",
      "req-0001",
      (v) => withMembers(exampleActionRequest(), { request_id: v }),
    ],
    ["jws-header", "kid", "owner-0001", (v) => withMembers(exampleJwsHeader(), { kid: v })],
  ];
  for (const [kind, member, value, set] of identifiers) {
    it(`refuses look-alikes of the identifier ${kind}.${member} with pattern_mismatch`, () => {
      expect(codeOf(kind, set(value))).toBe("accepted");
      for (const [name, variant] of lookAlikes(value)) {
        // Case changes are distinct valid identifiers (except in upper-case-only packet ids).
        if (name === "other case") continue;
        expect(decode(kind, set(variant)).code, `${name}: ${JSON.stringify(variant)}`).toBe(
          "pattern_mismatch",
        );
      }
    });
  }
});

describe("R9: timestamps are exact RFC 3339 UTC seconds", () => {
  const valid = [
    "2030-01-15T11:00:00Z",
    "2028-02-29T12:00:00Z",
    "2030-01-15T00:00:00Z",
    "2030-01-15T11:59:59Z",
  ];
  for (const ts of valid) {
    it(`accepts ${ts}`, () => {
      expect(codeOf("clone-marker", withMembers(exampleCloneMarker(), { issued_at: ts }))).toBe("accepted");
      expect(codeOf("evidence", withMembers(exampleEvidence(), { sealed_at: ts }))).toBe("accepted");
    });
  }

  it("accepts the calendar's edges in a clone marker (no window to respect)", () => {
    for (const ts of ["1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "9999-12-31T23:59:59Z"]) {
      expect(codeOf("clone-marker", withMembers(exampleCloneMarker(), { issued_at: ts })), ts).toBe(
        "accepted",
      );
    }
  });

  // These have the right shape but name no instant: the format check refuses them.
  const impossible = [
    "2030-02-31T00:00:00Z",
    "2030-02-29T00:00:00Z",
    "2030-04-31T00:00:00Z",
    "2030-13-01T00:00:00Z",
    "2030-00-10T00:00:00Z",
    "2030-01-00T00:00:00Z",
    "2030-01-15T24:00:00Z",
    "2030-01-15T23:59:60Z",
    "2030-01-15T23:60:00Z",
    "2030-01-15T25:00:00Z",
  ];
  for (const ts of impossible) {
    it(`refuses ${ts} with timestamp_invalid (R9)`, () => {
      expect(decode("clone-marker", withMembers(exampleCloneMarker(), { issued_at: ts }))).toEqual({
        code: "timestamp_invalid",
        rule: "R9",
        path: "/issued_at",
      });
    });
  }

  // These are not the one allowed spelling: local offsets, fractions, other separators or case.
  const misspelled = [
    "2030-01-15T12:00:00.000Z",
    "2030-01-15T12:00:00.5Z",
    "2030-01-15T12:00:00+00:00",
    "2030-01-15T12:00:00-00:00",
    "2030-01-15T13:00:00+01:00",
    "2030-01-15t12:00:00z",
    "2030-01-15T12:00:00z",
    "2030-01-15t12:00:00Z",
    "2030-01-15 12:00:00Z",
    "2030-01-15T12:00:00",
    "2030-01-15T12:00Z",
    "20300115T120000Z",
    "2030-1-15T12:00:00Z",
    "+02030-01-15T12:00:00Z",
    " 2030-01-15T12:00:00Z",
    "2030-01-15T12:00:00Z\n",
    "２０３０-01-15T12:00:00Z",
    "1894060800",
    "",
  ];
  for (const ts of misspelled) {
    it(`refuses ${JSON.stringify(ts)} as an R9 violation`, () => {
      const outcome = decode("clone-marker", withMembers(exampleCloneMarker(), { issued_at: ts }));
      expect(outcome.path).toBe("/issued_at");
      // Refused whatever code it cites; the exact R9 code is checked below.
      expect(["timestamp_invalid", "pattern_mismatch"]).toContain(outcome.code);
    });

    // BUG (reported to the lead): the timestamp definition's `pattern` fails before its `format`,
    // and schemaRejection maps every pattern error to pattern_mismatch, whose rule is R11
    // (identifiers). A misspelled timestamp is an R9 violation and must say so.
    it(`cites R9 (timestamp_invalid) for ${JSON.stringify(ts)}`, () => {
      expect(decode("clone-marker", withMembers(exampleCloneMarker(), { issued_at: ts }))).toEqual({
        code: "timestamp_invalid",
        rule: "R9",
        path: "/issued_at",
      });
    });
  }

  it("checks every timestamp member of every kind", () => {
    const bad = "2030-02-31T00:00:00Z";
    const members: ReadonlyArray<readonly [DocumentKind, string]> = [
      ["decision-packet", "issued_at"],
      ["decision-packet", "expires_at"],
      ["grant", "not_before"],
      ["grant", "expires_at"],
      ["permit", "issued_at"],
      ["permit", "expires_at"],
      ["evidence", "sealed_at"],
      ["clone-marker", "issued_at"],
    ];
    for (const [kind, member] of members) {
      expect(decode(kind, withMembers(EXAMPLES[kind](), { [member]: bad })).code, `${kind}.${member}`).toBe(
        "timestamp_invalid",
      );
    }
  });

  describe("clock-free windows (window_invalid)", () => {
    const packet = (issued: number, expires: number): unknown =>
      withMembers(examplePacket(), { issued_at: at(issued), expires_at: at(expires) });
    const grant = (from: number, to: number): unknown =>
      withMembers(exampleGrant(), { not_before: at(from), expires_at: at(to) });
    const permit = (from: number, to: number): unknown =>
      withMembers(examplePermit(), { issued_at: at(from), expires_at: at(to) });

    it("uses the SPEC's limits: 30 days, 24 hours, 15 minutes", () => {
      expect(PACKET_MAX_LIFETIME_SECONDS).toBe(30 * 86_400);
      expect(GRANT_MAX_WINDOW_SECONDS).toBe(86_400);
      expect(PERMIT_MAX_LIFETIME_SECONDS).toBe(900);
    });

    it("packet: expires_at after issued_at and at most 30 days later", () => {
      expect(codeOf("decision-packet", packet(0, 1))).toBe("accepted");
      expect(codeOf("decision-packet", packet(0, 30 * 86_400))).toBe("accepted");
      expect(decode("decision-packet", packet(0, 30 * 86_400 + 1))).toEqual({
        code: "window_invalid",
        rule: "R9",
        path: "/expires_at",
      });
      expect(codeOf("decision-packet", packet(0, 0))).toBe("window_invalid");
      expect(codeOf("decision-packet", packet(0, -1))).toBe("window_invalid");
      expect(codeOf("decision-packet", packet(0, 365 * 86_400))).toBe("window_invalid");
    });

    it("grant: a window of at most 24 hours", () => {
      expect(codeOf("grant", grant(0, 1))).toBe("accepted");
      expect(codeOf("grant", grant(0, 86_400))).toBe("accepted");
      expect(decode("grant", grant(0, 86_400 + 1))).toEqual({
        code: "window_invalid",
        rule: "R9",
        path: "/expires_at",
      });
      expect(codeOf("grant", grant(0, 0))).toBe("window_invalid");
      expect(codeOf("grant", grant(60, 0))).toBe("window_invalid");
    });

    it("permit: at most 15 minutes", () => {
      expect(codeOf("permit", permit(0, 900))).toBe("accepted");
      expect(decode("permit", permit(0, 901))).toEqual({
        code: "window_invalid",
        rule: "R9",
        path: "/expires_at",
      });
      expect(codeOf("permit", permit(0, 0))).toBe("window_invalid");
      expect(codeOf("permit", permit(10, 0))).toBe("window_invalid");
    });

    it("is clock-free: a packet long expired relative to FIXED_NOW still decodes", () => {
      expect(FIXED_NOW).toBe(at(0));
      expect(codeOf("decision-packet", packet(-400 * 86_400, -399 * 86_400))).toBe("accepted");
    });
  });
});

describe("R11: identifiers match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", () => {
  const members: ReadonlyArray<readonly [DocumentKind, string]> = [
    ["action-request", "request_id"],
    ["grant", "grant_id"],
    ["rehearsal-request", "rehearsal_id"],
    ["permit", "permit_id"],
    ["permit", "request_id"],
    ["jws-header", "kid"],
    ["clone-marker", "marker_id"],
  ];
  const good = ["a", "Z9", "a".repeat(64), "A._-b", "0-0", "x.y_z-1"];
  const bad: ReadonlyArray<readonly [string, string]> = [
    ["65 characters", "a".repeat(65)],
    ["empty", ""],
    ["leading dot", ".abc"],
    ["leading dash", "-abc"],
    ["leading underscore", "_abc"],
    ["unicode letter", "gränt"],
    ["fullwidth digit", "grant-１"],
    ["trailing newline", "abc\n"],
    ["leading space", " abc"],
    ["inner space", "a b"],
    ["slash (path)", "a/b"],
    ["dot-dot path", "../owner"],
    ["colon", "a:b"],
    ["NUL", "a\u0000"],
  ];
  for (const [kind, member] of members) {
    it(`${kind}.${member}: accepts the edges and refuses the rest with pattern_mismatch`, () => {
      for (const id of good)
        expect(codeOf(kind, withMembers(EXAMPLES[kind](), { [member]: id })), id).toBe("accepted");
      for (const [name, id] of bad) {
        expect(decode(kind, withMembers(EXAMPLES[kind](), { [member]: id })), name).toEqual({
          code: "pattern_mismatch",
          rule: "R11",
          path: `/${member}`,
        });
      }
    });
  }

  it("packet ids follow their own stricter pattern ^[A-Z0-9][A-Z0-9-]{2,63}$", () => {
    const set = (id: string): unknown => withMembers(examplePacket(), { packet_id: id });
    expect(codeOf("decision-packet", set("PKT"))).toBe("accepted");
    expect(codeOf("decision-packet", set("P".repeat(64)))).toBe("accepted");
    for (const id of ["PK", "P".repeat(65), "pkt-1", "-PKT", "PKT_1", "PKT.1", "PKT-1\n"]) {
      expect(codeOf("decision-packet", set(id)), id).toBe("pattern_mismatch");
    }
  });
});
