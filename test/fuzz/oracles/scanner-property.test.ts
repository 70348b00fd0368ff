/**
 * Properties of the canary scanner: random output without the canary never hits (no false alarms
 * on the base64url alphabet the canaries are written in, nor on arbitrary bytes), and any encoding
 * of any canary inserted anywhere in random text or bytes always hits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelledEncodings, makeScanner, plantCanaryKey } from "../../../src/fuzz/canary/index.js";

const RUNS = 300;
const canaries = [plantCanaryKey().d, plantCanaryKey().d, Buffer.alloc(32, 0).fill(9).toString("base64url")];
const forms = canaries.flatMap((canary, index) =>
  labelledEncodings(canary).map((form) => ({ ...form, index })),
);
const scan = makeScanner(canaries);

const base64urlText = fc.string({
  unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("")),
  maxLength: 2000,
});
const anyText = fc.oneof(
  fc.string({ maxLength: 2000 }),
  fc.string({ unit: "binary", maxLength: 500 }),
  base64urlText,
);
const anyBytes = fc.uint8Array({ maxLength: 4000 });

describe("canary scanner properties", () => {
  it("never hits random text or bytes that do not hold a canary", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        fc.pre(!forms.some((form) => text.includes(form.text)));
        expect(scan(text)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const latin1 = Buffer.from(bytes).toString("latin1");
        fc.pre(!forms.some((form) => latin1.includes(form.text)));
        expect(scan(bytes)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it("always hits any encoding of any canary inserted anywhere in text", () => {
    fc.assert(
      fc.property(anyText, anyText, fc.nat(forms.length - 1), (before, after, pick) => {
        const form = forms[pick];
        if (form === undefined) throw new Error("no such form");
        expect(scan(before + form.text + after)).toMatch(/^canary #\d+ \(/);
      }),
      { numRuns: RUNS },
    );
  });

  it("always hits any encoding of any canary inserted anywhere in bytes, UTF-8 or not", () => {
    fc.assert(
      fc.property(anyBytes, anyBytes, fc.nat(forms.length - 1), (before, after, pick) => {
        const form = forms[pick];
        if (form === undefined) throw new Error("no such form");
        const haystack = Buffer.concat([before, Buffer.from(form.text, "latin1"), after]);
        expect(scan(new Uint8Array(haystack))).toMatch(/^canary #\d+ \(/);
      }),
      { numRuns: RUNS },
    );
  });
});
