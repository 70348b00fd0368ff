/**
 * How a lenient client would read a body the strict codec refuses. A gate that answers a document
 * with two `verdict` members, or a quoted "ALLOW", has not failed closed for the clients that take
 * the first member, the last member or the bare text: F1 treats such an answer as an allow.
 */

const BARE_POSITIVE = /^\s*"?\s*(?:ALLOW|PASS)\s*"?\s*$/i;
/** A verdict-ish member with a positive value, anywhere in the text (first-wins parsers, nesting). */
const POSITIVE_MEMBER = /"\s*(?:verdict|decision)\s*"\s*:\s*"\s*(?:ALLOW|PASS)\s*"/i;
const POSITIVE_VALUE = /^\s*(?:ALLOW|PASS)\s*$/i;

const lenientDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

function unescapeUnicode(text: string): string {
  return text.replace(/\\u([0-9A-Fa-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** What JSON.parse (last member wins, BOM stripped) says the verdict is, if anything. */
function jsonParseVerdict(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text.replace(/^\uFEFF/, ""));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    return Object.prototype.hasOwnProperty.call(value, "verdict")
      ? (value as { readonly verdict?: unknown }).verdict
      : undefined;
  } catch {
    return undefined;
  }
}

/** How a lenient client would come to read an allow in this body, or undefined if none would. */
export function lenientPositiveReading(body: Uint8Array): string | undefined {
  const text = lenientDecoder.decode(body);
  if (BARE_POSITIVE.test(text)) return "the whole body reads as a bare ALLOW or PASS";
  const parsed = jsonParseVerdict(text);
  if (typeof parsed === "string" && POSITIVE_VALUE.test(parsed))
    return "JSON.parse reads a positive verdict in a body the strict codec refuses";
  if (POSITIVE_MEMBER.test(unescapeUnicode(text)))
    return "a verdict member reads ALLOW or PASS in a body the strict codec refuses";
  return undefined;
}
