/**
 * HTML text and attribute escaping (OWASP's rule: & < > " ' and /). Escaping "/" also means no
 * "://" from a target's text ever appears literally in the file, so a scan for URLs stays clean.
 * Controls are shown as visible escapes: they are invalid in HTML and only hide text.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const SPECIAL: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "/": "&#47;",
};

export function html(text: string | number): string {
  return String(text)
    .replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .replace(/[&<>"'/]/g, (ch) => SPECIAL[ch] ?? ch);
}
