/**
 * Text from a target rendered inside Markdown must stay text: no HTML, links, emphasis or table
 * breaks. CommonMark lets a backslash escape any ASCII punctuation, so the characters that start
 * markup are escaped, line breaks become spaces (a table row is one line) and controls are shown
 * as a visible "\x1b" (written with a doubled backslash, so it is not itself an escape).
 */
const MARKUP = /[\\`*_{}[\]()<>#+!|~]/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function mdText(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, " ")
    .replace(MARKUP, (ch) => `\\${ch}`)
    .replace(/&/g, "&amp;")
    .replace(CONTROL, (ch) => `\\\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
