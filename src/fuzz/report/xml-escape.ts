/**
 * XML 1.0 cannot carry most C0 control characters, U+FFFE, U+FFFF or unpaired surrogates at all,
 * not even as character references; a JUnit file holding one is rejected whole by CI. They are
 * shown as visible "\uXXXX" text instead, as are C1 controls, which CI log viewers misrender.
 */
const UNREPRESENTABLE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point.
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(text: string): string {
  return text.replace(UNREPRESENTABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Element text. ">" is escaped too, so "]]>" can never appear. */
export function xmlText(text: string): string {
  return visible(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A double-quoted attribute value; tabs and line breaks as references, which attribute normalisation keeps. */
export function xmlAttr(text: string): string {
  return xmlText(text)
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}
