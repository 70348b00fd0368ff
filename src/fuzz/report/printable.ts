/**
 * Text from a target (reasons, descriptions) may hold terminal escape sequences or line breaks
 * that would redraw, recolour or forge lines in a console or CI log. Console output shows every
 * control character as a visible escape instead, and long text is cut.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function printable(text: string, max = 240): string {
  const visible = text.replace(CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
  });
  return visible.length > max ? `${visible.slice(0, max - 1)}…` : visible;
}
