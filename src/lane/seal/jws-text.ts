/**
 * A JWS kept in a file usually ends with one newline; nothing else around it is accepted. Read as
 * latin1 so that any byte outside base64url stays a character the strict checks refuse.
 */
export function jwsText(bytes: Buffer): string {
  const text = bytes.toString("latin1");
  return text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;
}
