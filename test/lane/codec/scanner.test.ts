/**
 * The strict JSON scanner at the byte level (SPEC R1-R6). Each rule gets inputs that must be
 * refused with its own stable code, and neighbouring inputs that must still be accepted, so a
 * scanner that refuses everything fails these tests as surely as one that accepts everything.
 */
import { describe, expect, it } from "vitest";
import type { CodecRejection, JsonValue } from "../../../src/lane/codec/index.js";
import { CODEC_CODES, MAX_DOCUMENT_BYTES, scanJson } from "../../../src/lane/codec/index.js";
import type { Result } from "../../../src/kernel/result.js";

function bytesOf(input: string | readonly number[] | Uint8Array): Uint8Array {
  if (typeof input === "string") return new Uint8Array(Buffer.from(input, "utf8"));
  return Uint8Array.from(input);
}

function scan(input: string | readonly number[] | Uint8Array): Result<JsonValue, CodecRejection> {
  return scanJson(bytesOf(input));
}

/** "accepted" or the rejection code: one string, so a failing assertion shows what happened. */
function outcome(input: string | readonly number[] | Uint8Array): string {
  const result = scan(input);
  return result.ok ? "accepted" : result.error.code;
}

function accepted(input: string | readonly number[] | Uint8Array): JsonValue {
  const result = scan(input);
  if (!result.ok)
    throw new Error(`expected acceptance, got ${result.error.code} at ${result.error.at ?? "?"}`);
  return result.value;
}

/** `{"a":"<bytes>"}` with raw bytes inside the string. */
function inString(raw: readonly number[]): number[] {
  return [...Buffer.from('{"a":"'), ...raw, ...Buffer.from('"}')];
}

describe("R1: UTF-8 decoded fatally, no BOM, nothing after the value", () => {
  it("accepts multi-byte UTF-8 (2, 3 and 4 byte sequences) and keeps it exact", () => {
    expect(accepted('{"a":"é中😀"}')).toEqual({ a: "é中😀" });
  });

  const invalid: ReadonlyArray<readonly [string, readonly number[]]> = [
    ["overlong '/' in 2 bytes", [0xc0, 0xaf]],
    ["overlong NUL in 2 bytes", [0xc0, 0x80]],
    ["overlong '/' in 3 bytes", [0xe0, 0x80, 0xaf]],
    ["overlong '/' in 4 bytes", [0xf0, 0x80, 0x80, 0xaf]],
    ["encoded high surrogate U+D800", [0xed, 0xa0, 0x80]],
    ["encoded low surrogate U+DFFF", [0xed, 0xbf, 0xbf]],
    ["CESU-8 surrogate pair", [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]],
    ["lone continuation byte", [0x80]],
    ["truncated 2-byte sequence", [0xc3]],
    ["truncated 3-byte sequence", [0xe2, 0x82]],
    ["truncated 4-byte sequence", [0xf0, 0x9f, 0x98]],
    ["byte 0xFE", [0xfe]],
    ["byte 0xFF", [0xff]],
    ["code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["5-byte form", [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ["Latin-1 é instead of UTF-8", [0xe9]],
  ];
  for (const [name, raw] of invalid) {
    it(`refuses ${name} with utf8_invalid (R1)`, () => {
      const result = scan(inString(raw));
      expect(result.ok ? "accepted" : result.error).toEqual({ code: "utf8_invalid", rule: "R1" });
    });
  }

  it("refuses invalid UTF-8 outside strings too", () => {
    expect(outcome([0x7b, 0xc0, 0xaf, 0x7d])).toBe("utf8_invalid");
  });

  it("refuses a byte-order mark with bom at offset 0 (R1), never skipping it", () => {
    const result = scan([0xef, 0xbb, 0xbf, ...Buffer.from('{"a":1}')]);
    expect(result.ok ? "accepted" : result.error).toEqual({ code: "bom", rule: "R1", at: 0 });
    expect(outcome([0xef, 0xbb, 0xbf])).toBe("bom");
  });

  it("refuses a BOM after leading whitespace as a syntax error (it is not whitespace)", () => {
    expect(outcome([0x20, 0xef, 0xbb, 0xbf, ...Buffer.from("{}")])).toBe("syntax");
  });

  it("refuses a UTF-16 BOM as invalid UTF-8", () => {
    expect(outcome([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00])).toBe("utf8_invalid");
  });

  const trailing = [
    '{"a":1}x',
    '{"a":1}{}',
    '{"a":1} {"a":1}',
    '{"a":1},',
    '{"a":1}]',
    '{"a":1}\u0000',
    '{"a":1}//',
  ];
  for (const text of trailing) {
    it(`refuses trailing garbage ${JSON.stringify(text)} with syntax`, () => {
      expect(outcome(text)).toBe("syntax");
      expect(CODEC_CODES.syntax).toBe("R1");
    });
  }

  it("accepts JSON whitespace around the value", () => {
    expect(accepted(' \t\r\n{"a":1} \t\r\n')).toEqual({ a: 1 });
  });

  it("reports the byte offset of trailing garbage", () => {
    const result = scan('{"é":1}x');
    // "é" is two bytes: the x sits at byte 8.
    expect(result.ok ? undefined : result.error.at).toBe(8);
  });

  const notJson = [
    "",
    " ",
    "{'a':1}",
    '{"a":1,}',
    "[1,]",
    "{a:1}",
    '{"a":1 /* c */}',
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":undefined}',
    '{"a":"tab\there"}',
    '{"a":"line\nbreak"}',
    '{"a":"\\x41"}',
    '{"a":"\\u12"}',
    '{"a":"\\U0041"}',
    '{"a":"\\u00G1"}',
    '{"a":"unterminated}',
    '{"a":tru}',
    '{"a":nul}',
    '{"a" 1}',
    '{"a":1 "b":2}',
    "[1 2]",
    '{"a":1',
  ];
  for (const text of notJson) {
    it(`refuses non-JSON ${JSON.stringify(text)} with syntax`, () => {
      expect(outcome(text)).toBe("syntax");
    });
  }
});

describe("R2: no lone surrogate, escaped or not", () => {
  const lone: ReadonlyArray<readonly [string, string]> = [
    ["escaped high surrogate", '{"a":"\\ud800"}'],
    ["escaped low surrogate", '{"a":"\\udc00"}'],
    ["reversed pair", '{"a":"\\udc00\\ud800"}'],
    ["high surrogate at the end of the string", '{"a":"abc\\ud83d"}'],
    ["high surrogate followed by an ordinary character", '{"a":"\\ud83dx"}'],
    ["two high surrogates", '{"a":"\\ud83d\\ud83d"}'],
    ["high surrogate followed by a raw astral character", '{"a":"\\ud83d😀"}'],
    ["upper-case hex lone surrogate", '{"a":"\\uDFFF"}'],
    ["lone surrogate in a member name", '{"\\ud800":1}'],
    ["low surrogate in a member name", '{"x\\udc00y":1}'],
    ["lone surrogate in a nested array", '{"a":[["ok","\\ud800"]]}'],
  ];
  for (const [name, text] of lone) {
    it(`refuses ${name} with lone_surrogate (R2)`, () => {
      const result = scan(text);
      expect(result.ok ? "accepted" : { code: result.error.code, rule: result.error.rule }).toEqual({
        code: "lone_surrogate",
        rule: "R2",
      });
    });
  }

  it("refuses an unescaped (UTF-8 encoded) surrogate as invalid UTF-8", () => {
    expect(outcome(inString([0xed, 0xb0, 0x80]))).toBe("utf8_invalid");
  });

  it("accepts a valid escaped pair, in either hex case, and decodes it to one character", () => {
    expect(accepted('{"a":"\\ud83d\\ude00","b":"\\uD83D\\uDE00"}')).toEqual({ a: "😀", b: "😀" });
  });

  it("accepts a valid escaped pair in a member name", () => {
    expect(Object.keys(accepted('{"\\ud83d\\ude00":1}') as object)).toEqual(["😀"]);
  });
});

describe("R3: no member name twice, compared after unescaping", () => {
  const duplicates: ReadonlyArray<readonly [string, string]> = [
    ["exact repeat", '{"a":1,"a":1}'],
    ["repeat with another value", '{"a":1,"b":2,"a":3}'],
    ['"a" and "\\u0061"', '{"a":1,"\\u0061":2}'],
    ['"\\u0061" and "a"', '{"\\u0061":1,"a":2}'],
    ['"\\/" and "/"', '{"\\/":1,"/":2}'],
    ['"\\u00e9" and raw "é"', '{"\\u00e9":1,"é":2}'],
    ["escaped and raw astral names", '{"\\ud83d\\ude00":1,"😀":2}'],
    ["nested object", '{"x":{"a":1,"a":2}}'],
    ["object inside an array", '{"x":[{"a":1},{"b":1,"b":2}]}'],
    ["empty names", '{"":1,"":2}'],
  ];
  for (const [name, text] of duplicates) {
    it(`refuses ${name} with duplicate_member (R3)`, () => {
      const result = scan(text);
      expect(result.ok ? "accepted" : { code: result.error.code, rule: result.error.rule }).toEqual({
        code: "duplicate_member",
        rule: "R3",
      });
    });
  }

  it("points at the second occurrence", () => {
    const result = scan('{"a":1,"a":2}');
    expect(result.ok ? undefined : result.error.at).toBe(7);
  });

  it("accepts the same name in different objects", () => {
    expect(accepted('{"x":{"a":1},"y":{"a":1},"z":[{"a":1},{"a":1}]}')).toEqual({
      x: { a: 1 },
      y: { a: 1 },
      z: [{ a: 1 }, { a: 1 }],
    });
  });

  it("treats names that differ in case or normalisation form as different (R8: no folding)", () => {
    // "é" precomposed (NFC) and "e" + combining acute (NFD) look alike but are other bytes.
    expect(Object.keys(accepted('{"a":1,"A":2,"é":3,"e\u0301":4}') as object)).toEqual([
      "a",
      "A",
      "é",
      "e\u0301",
    ]);
  });
});

describe("R4: depth, size, string length and array length limits", () => {
  const arrays = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);
  const objects = (depth: number): string => '{"a":'.repeat(depth - 1) + "{}" + "}".repeat(depth - 1);

  it("accepts depth 32 and refuses depth 33 with too_deep (arrays)", () => {
    expect(outcome(arrays(32))).toBe("accepted");
    expect(outcome(arrays(33))).toBe("too_deep");
  });

  it("accepts depth 32 and refuses depth 33 with too_deep (objects)", () => {
    expect(outcome(objects(32))).toBe("accepted");
    const result = scan(objects(33));
    expect(result.ok ? "accepted" : { code: result.error.code, rule: result.error.rule }).toEqual({
      code: "too_deep",
      rule: "R4",
    });
  });

  it("does not count brackets inside strings", () => {
    expect(outcome(`{"s":"${"[{".repeat(100)}","t":${arrays(31)}}`)).toBe("accepted");
    expect(outcome(`{"s":"\\"${"[".repeat(100)}\\""}`)).toBe("accepted");
  });

  it("does not let an escaped backslash hide the end of a string from the depth count", () => {
    // "\\" ends with an escaped backslash; the quote after it closes the string.
    expect(outcome(`{"s":"\\\\","t":${arrays(31)}}`)).toBe("accepted");
    expect(outcome(`{"s":"\\\\","t":${arrays(32)}}`)).toBe("too_deep");
  });

  it("checks depth before parsing: excess depth wins over a later syntax error", () => {
    expect(outcome("[".repeat(33) + "x")).toBe("too_deep");
    // Deep enough to overflow a naive recursive parser, still within the size limit.
    expect(outcome("[".repeat(60_000))).toBe("too_deep");
  });

  it("accepts 65,536 bytes and refuses 65,537 with too_large before decoding", () => {
    expect(outcome("{}" + " ".repeat(MAX_DOCUMENT_BYTES - 2))).toBe("accepted");
    expect(MAX_DOCUMENT_BYTES).toBe(65_536);
    const result = scan("{}" + " ".repeat(MAX_DOCUMENT_BYTES - 1));
    expect(result.ok ? "accepted" : result.error).toEqual({ code: "too_large", rule: "R4", at: 65_536 });
    // Size is checked first: invalid UTF-8 of that size is still "too large".
    expect(outcome(new Uint8Array(MAX_DOCUMENT_BYTES + 1).fill(0xff))).toBe("too_large");
  });

  it("accepts a string of 4,096 characters and refuses 4,097 with string_too_long", () => {
    expect(outcome(`{"a":"${"x".repeat(4096)}"}`)).toBe("accepted");
    const result = scan(`{"a":"${"x".repeat(4097)}"}`);
    expect(result.ok ? "accepted" : { code: result.error.code, rule: result.error.rule }).toEqual({
      code: "string_too_long",
      rule: "R4",
    });
  });

  it("counts an astral character as one character, not two UTF-16 units or four bytes", () => {
    expect(outcome(`{"a":"${"😀".repeat(4096)}"}`)).toBe("accepted");
    expect(outcome(`{"a":"${"😀".repeat(4097)}"}`)).toBe("string_too_long");
    expect(outcome(`{"a":"${"\\ud83d\\ude00".repeat(4096)}"}`)).toBe("accepted");
    expect(outcome(`{"a":"${"\\ud83d\\ude00".repeat(4097)}"}`)).toBe("string_too_long");
  });

  it("counts characters after unescaping", () => {
    expect(outcome(`{"a":"${"\\u0041".repeat(4096)}"}`)).toBe("accepted");
    expect(outcome(`{"a":"${"\\u0041".repeat(4097)}"}`)).toBe("string_too_long");
  });

  it("applies the string limit to member names", () => {
    expect(outcome(`{"${"n".repeat(4096)}":1}`)).toBe("accepted");
    expect(outcome(`{"${"n".repeat(4097)}":1}`)).toBe("string_too_long");
  });

  it("accepts an array of 256 items and refuses 257 with array_too_long", () => {
    const items = (n: number): string => `{"a":[${Array.from({ length: n }, () => "0").join(",")}]}`;
    expect(outcome(items(256))).toBe("accepted");
    expect(outcome(items(0))).toBe("accepted");
    const result = scan(items(257));
    expect(result.ok ? "accepted" : { code: result.error.code, rule: result.error.rule }).toEqual({
      code: "array_too_long",
      rule: "R4",
    });
  });
});

describe("R5: integers in ±(2^53−1), no fraction, exponent or -0", () => {
  const good: ReadonlyArray<readonly [string, number]> = [
    ["0", 0],
    ["1", 1],
    ["-1", -1],
    ["1234567890123456", 1234567890123456],
    ["9007199254740991", 9007199254740991],
    ["-9007199254740991", -9007199254740991],
  ];
  for (const [text, value] of good) {
    it(`accepts ${text}`, () => {
      expect(accepted(`{"n":${text}}`)).toEqual({ n: value });
    });
  }

  const refused: ReadonlyArray<readonly [string, string]> = [
    ["1.0", "number_not_integer"],
    ["1.5", "number_not_integer"],
    ["-1.0", "number_not_integer"],
    ["1e2", "number_not_integer"],
    ["1E+2", "number_not_integer"],
    ["1e-2", "number_not_integer"],
    ["0e0", "number_not_integer"],
    ["-0.0", "number_not_integer"],
    ["-0", "negative_zero"],
    ["9007199254740992", "number_out_of_range"],
    ["-9007199254740992", "number_out_of_range"],
    ["9007199254740993", "number_out_of_range"],
    ["99999999999999999", "number_out_of_range"],
    ["123456789012345678901234567890", "number_out_of_range"],
  ];
  for (const [text, code] of refused) {
    it(`refuses ${text} with ${code} (R5)`, () => {
      const result = scan(`{"n":${text}}`);
      expect(result.ok ? "accepted" : { code: result.error.code, rule: result.error.rule }).toEqual({
        code,
        rule: "R5",
      });
    });
  }

  const syntax = ["01", "-01", "00", "+1", ".5", "1.", "-", "--1", "0x10", "1_000", "1e", "- 1"];
  for (const text of syntax) {
    it(`refuses the non-JSON number ${text} with syntax`, () => {
      expect(outcome(`{"n":${text}}`)).toBe("syntax");
    });
  }
});

describe("R6: no __proto__, constructor or prototype; null-prototype objects", () => {
  const forbidden: ReadonlyArray<readonly [string, string]> = [
    ["__proto__ at the root", '{"__proto__":{"polluted":1}}'],
    ["constructor at the root", '{"constructor":{"prototype":{"polluted":1}}}'],
    ["prototype at the root", '{"prototype":1}'],
    ["__proto__ nested", '{"a":{"b":{"__proto__":{"polluted":1}}}}'],
    ["constructor inside an array", '{"a":[1,{"constructor":1}]}'],
    ["prototype deep", `{"a":${'{"b":'.repeat(20)}{"prototype":1}${"}".repeat(20)}}`],
    ["escaped \\u005f_proto__", '{"\\u005f_proto__":{"polluted":1}}'],
    ["escaped \\u0063onstructor", '{"\\u0063onstructor":1}'],
    ["escaped prot\\u006ftype", '{"prot\\u006ftype":1}'],
    ["__proto__ after other members", '{"a":1,"b":2,"__proto__":null}'],
  ];
  for (const [name, text] of forbidden) {
    it(`refuses ${name} with forbidden_member (R6)`, () => {
      const result = scan(text);
      expect(result.ok ? "accepted" : { code: result.error.code, rule: result.error.rule }).toEqual({
        code: "forbidden_member",
        rule: "R6",
      });
    });
  }

  it("leaves Object.prototype untouched after every hostile input", () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const [, text] of forbidden) scan(text);
    scan('{"toString":1,"valueOf":2,"hasOwnProperty":3,"isPrototypeOf":4}');
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("accepts names that only resemble the forbidden ones, as plain data", () => {
    const value = accepted('{"__proto__x":1,"Constructor":2,"PROTOTYPE":3,"toString":4,"hasOwnProperty":5}');
    expect(Object.keys(value as object)).toEqual([
      "__proto__x",
      "Constructor",
      "PROTOTYPE",
      "toString",
      "hasOwnProperty",
    ]);
    // Member data shadows nothing: it is simply a value, not a method.
    expect(Object.entries(value as object)).toContainEqual(["toString", 4]);
  });

  it("builds every object with a null prototype, at every depth", () => {
    const value = accepted('{"a":{"b":[{"c":{}}]}}') as Record<string, unknown>;
    const a = value["a"] as Record<string, unknown>;
    const inner = (a["b"] as unknown[])[0] as Record<string, unknown>;
    for (const object of [value, a, inner, inner["c"]]) {
      expect(Object.getPrototypeOf(object)).toBeNull();
      expect((object as { toString?: unknown }).toString).toBeUndefined();
      expect("constructor" in (object as object)).toBe(false);
    }
  });
});
