/**
 * The strict JSON scanner (SPEC R1-R6): bytes in, a plain JSON value or a rejection out.
 *
 * Hand-written because no well-kept library does what R3 and R2 demand: JSON.parse keeps the last
 * of two duplicate members and accepts lone surrogates, and the streaming parsers on npm either
 * do the same or are unmaintained. Everything the scanner returns is built from null-prototype
 * objects, so no member of the input can reach Object.prototype (R6).
 */
import { type Result, err, ok } from "../../kernel/result.js";
import { MAX_ARRAY_ITEMS, MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_STRING_CHARS } from "./limits.js";
import { type CodecCode, type CodecRejection, rejection } from "./rejection.js";

export type JsonValue = string | number | boolean | null | JsonArray | JsonObject;
export type JsonArray = readonly JsonValue[];
export interface JsonObject {
  readonly [member: string]: JsonValue;
}

const FORBIDDEN_MEMBERS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Thrown inside the scanner only, turned into a rejection at its entry point. Deliberately not an
 * Error: an Error captures a stack trace on every rejected input, and the fuzzer sends millions.
 */
/* eslint-disable @typescript-eslint/only-throw-error -- Stop never escapes scanJson. */
class Stop {
  constructor(
    readonly code: CodecCode,
    readonly charIndex: number,
  ) {}
}

/**
 * Size limits of one scan. Protocol documents always use R4's (the defaults); a transport
 * envelope that carries a whole document in one string needs larger ones.
 */
export interface ScanLimits {
  readonly maxDocumentBytes?: number;
  readonly maxStringChars?: number;
}

export function scanJson(bytes: Uint8Array, limits: ScanLimits = {}): Result<JsonValue, CodecRejection> {
  const maxBytes = limits.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
  if (bytes.length > maxBytes) return err(rejection("too_large", { at: maxBytes }));
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return err(rejection("bom", { at: 0 }));
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return err(rejection("utf8_invalid"));
  }
  // R4: the depth limit is checked over the whole text before the recursive parse begins.
  const deep = findExcessDepth(text);
  if (deep !== -1) return err(rejection("too_deep", { at: byteOffset(text, deep) }));
  const parser = new Parser(text, limits.maxStringChars ?? MAX_STRING_CHARS);
  try {
    const value = parser.document();
    return ok(value);
  } catch (error) {
    if (error instanceof Stop) return err(rejection(error.code, { at: byteOffset(text, error.charIndex) }));
    throw error;
  }
}

/** Index of the first bracket that opens level MAX_DEPTH + 1, or -1. Strings are skipped. */
function findExcessDepth(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

function byteOffset(text: string, charIndex: number): number {
  return Buffer.byteLength(text.slice(0, charIndex), "utf8");
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

class Parser {
  #i = 0;
  constructor(
    readonly text: string,
    readonly maxStringChars: number,
  ) {}

  document(): JsonValue {
    this.#skipWhitespace();
    const value = this.#value();
    this.#skipWhitespace();
    if (this.#i !== this.text.length) throw new Stop("syntax", this.#i);
    return value;
  }

  #skipWhitespace(): void {
    while (this.#i < this.text.length && isWhitespace(this.text.charCodeAt(this.#i))) this.#i++;
  }

  #value(): JsonValue {
    const c = this.text.charCodeAt(this.#i);
    switch (c) {
      case 0x7b:
        return this.#object();
      case 0x5b:
        return this.#array();
      case 0x22:
        return this.#string();
      case 0x74:
        return this.#literal("true", true);
      case 0x66:
        return this.#literal("false", false);
      case 0x6e:
        return this.#literal("null", null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.#number();
        throw new Stop("syntax", this.#i);
    }
  }

  #literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.#i)) throw new Stop("syntax", this.#i);
    this.#i += word.length;
    return value;
  }

  #object(): JsonObject {
    this.#i++;
    // Null prototype: a member named like an Object.prototype property is just data (R6).
    const target = Object.create(null) as Record<string, JsonValue>;
    const seen = new Set<string>();
    this.#skipWhitespace();
    if (this.text.charCodeAt(this.#i) === 0x7d) {
      this.#i++;
      return target;
    }
    for (;;) {
      this.#skipWhitespace();
      const nameAt = this.#i;
      if (this.text.charCodeAt(this.#i) !== 0x22) throw new Stop("syntax", this.#i);
      const name = this.#string();
      // R3 compares names after unescaping: "a" and "\u0061" are the same member.
      if (seen.has(name)) throw new Stop("duplicate_member", nameAt);
      if (FORBIDDEN_MEMBERS.has(name)) throw new Stop("forbidden_member", nameAt);
      seen.add(name);
      this.#skipWhitespace();
      if (this.text.charCodeAt(this.#i) !== 0x3a) throw new Stop("syntax", this.#i);
      this.#i++;
      this.#skipWhitespace();
      target[name] = this.#value();
      this.#skipWhitespace();
      const c = this.text.charCodeAt(this.#i);
      this.#i++;
      if (c === 0x7d) return target;
      if (c !== 0x2c) throw new Stop("syntax", this.#i - 1);
    }
  }

  #array(): JsonArray {
    this.#i++;
    const items: JsonValue[] = [];
    this.#skipWhitespace();
    if (this.text.charCodeAt(this.#i) === 0x5d) {
      this.#i++;
      return items;
    }
    for (;;) {
      this.#skipWhitespace();
      if (items.length === MAX_ARRAY_ITEMS) throw new Stop("array_too_long", this.#i);
      items.push(this.#value());
      this.#skipWhitespace();
      const c = this.text.charCodeAt(this.#i);
      this.#i++;
      if (c === 0x5d) return items;
      if (c !== 0x2c) throw new Stop("syntax", this.#i - 1);
    }
  }

  #string(): string {
    const start = this.#i;
    this.#i++;
    let out = "";
    let runStart = this.#i;
    for (;;) {
      if (this.#i >= this.text.length) throw new Stop("syntax", start);
      const c = this.text.charCodeAt(this.#i);
      if (c === 0x22) {
        out += this.text.slice(runStart, this.#i);
        this.#i++;
        break;
      }
      if (c < 0x20) throw new Stop("syntax", this.#i);
      if (c === 0x5c) {
        out += this.text.slice(runStart, this.#i);
        out += this.#escape();
        runStart = this.#i;
      } else {
        this.#i++;
      }
    }
    checkString(out, start, this.maxStringChars);
    return out;
  }

  #escape(): string {
    const at = this.#i;
    const c = this.text.charCodeAt(this.#i + 1);
    this.#i += 2;
    switch (c) {
      case 0x22:
        return '"';
      case 0x5c:
        return "\\";
      case 0x2f:
        return "/";
      case 0x62:
        return "\b";
      case 0x66:
        return "\f";
      case 0x6e:
        return "\n";
      case 0x72:
        return "\r";
      case 0x74:
        return "\t";
      case 0x75: {
        const hex = this.text.slice(this.#i, this.#i + 4);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new Stop("syntax", at);
        this.#i += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        throw new Stop("syntax", at);
    }
  }

  #number(): number {
    const start = this.#i;
    const match = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    match.lastIndex = start;
    const m = match.exec(this.text);
    if (m === null || m[0] === "-") throw new Stop("syntax", start);
    this.#i = start + m[0].length;
    // A digit straight after is JSON's "no leading zeros" rule (e.g. 01).
    const next = this.text.charCodeAt(this.#i);
    if (next >= 0x30 && next <= 0x39) throw new Stop("syntax", this.#i);
    if (m[2] !== undefined || m[3] !== undefined) throw new Stop("number_not_integer", start);
    if (m[0] === "-0") throw new Stop("negative_zero", start);
    const digits = m[1] ?? "";
    // Anything over 16 digits is past 2^53-1 whatever its value; shorter ones are exact.
    if (digits.length > 16) throw new Stop("number_out_of_range", start);
    const value = Number(m[0]);
    if (!Number.isSafeInteger(value)) throw new Stop("number_out_of_range", start);
    return value;
  }
}

/** R2 (no lone surrogate, escaped or not) and R4 (length in code points) on an unescaped string. */
function checkString(value: string, at: number, maxChars: number): void {
  let codePoints = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = value.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new Stop("lone_surrogate", at);
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new Stop("lone_surrogate", at);
    }
    codePoints++;
  }
  if (codePoints > maxChars) throw new Stop("string_too_long", at);
}
