/**
 * True only for `application/json`, optionally with `charset=utf-8` (R1: documents are UTF-8).
 * Media type names are case-insensitive (RFC 9110 8.3.1), so `Application/JSON` passes; anything
 * else, a missing header included, does not. Hand-written: the grammar needed is one token and
 * one parameter, and the `content-type` package would accept parameters this gate has no use for.
 */
export function isJsonMediaType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...parameters] = header.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/json") return false;
  return parameters.every((parameter) => parameter === "charset=utf-8" || parameter === 'charset="utf-8"');
}
