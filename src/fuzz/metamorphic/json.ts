/**
 * JSON a variant may be derived from: text that `JSON.parse` then `JSON.stringify` gives back byte
 * for byte. Such text has no duplicate member, no odd number spelling and no whitespace, so a
 * variant that edits one member keeps every other byte, flaws included: a derivation never repairs
 * what made its source refusable.
 */
export type Json = null | boolean | number | string | readonly Json[] | JsonObject;
export interface JsonObject {
  readonly [member: string]: Json;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The bytes as text, when they are UTF-8 that encodes back to the same bytes (no BOM dropped). */
export function textOf(bytes: Uint8Array): string | undefined {
  try {
    const text = UTF8.decode(bytes);
    return Buffer.from(text, "utf8").equals(bytes) ? text : undefined;
  } catch {
    return undefined;
  }
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object the text holds, when it is canonical (see above); undefined otherwise. */
export function canonicalObject(text: string): JsonObject | undefined {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
  return isObject(value) && JSON.stringify(value) === text ? value : undefined;
}

/**
 * The object with one member's value replaced, in place in the member order. Built with
 * Object.fromEntries, which defines own properties: a member named `__proto__` stays a member.
 */
export function withMember(object: JsonObject, member: string, value: Json): JsonObject {
  return Object.fromEntries(
    Object.entries(object).map(([name, old]) => [name, name === member ? value : old]),
  );
}

/** Every object's members in reverse order, at every depth; arrays keep their order. */
export function reversedMembers(value: Json): Json {
  if (Array.isArray(value)) return (value as readonly Json[]).map(reversedMembers);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([name, member]) => [name, reversedMembers(member)]),
  );
}

export function stringMember(object: JsonObject, member: string): string | undefined {
  const value = Object.hasOwn(object, member) ? object[member] : undefined;
  return typeof value === "string" ? value : undefined;
}
