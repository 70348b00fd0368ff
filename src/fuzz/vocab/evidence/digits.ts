/** Hex digests bent the ways a careless comparison would still accept. */
import type { Malformed } from "./flaws.js";

const HEX = "0123456789abcdef";

/** The hex text with the digit at `index` moved by `delta` (1-15): always another digit. */
export function changeDigit(hex: string, index: number, delta: number): string {
  const i = index % hex.length;
  const digit = HEX.indexOf(hex[i] ?? "0");
  return `${hex.slice(0, i)}${HEX[(digit + delta) % 16] ?? "0"}${hex.slice(i + 1)}`;
}

/** Uppercase hex that always differs from the lowercase text (a digest without letters gets one). */
export function upperHex(hex: string): string {
  return /[a-f]/.test(hex) ? hex.toUpperCase() : `A${hex.slice(1)}`;
}

export function malformedDigest(hex: string, how: Malformed): string | null {
  switch (how) {
    case "null":
      return null;
    case "upper":
      return upperHex(hex);
    case "short":
      return hex.slice(0, 63);
    case "long":
      return `${hex}0`;
    case "prefixed":
      return `sha256:${hex}`;
    case "non-hex":
      return `${hex.slice(0, 63)}g`;
    case "empty":
      return "";
  }
}
