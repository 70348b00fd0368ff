/** Custom ajv formats for rules a regular expression cannot state. */

/** R9: RFC 3339 UTC to the second, and it must name a real instant (no 2030-02-31, no 24:00:00). */
export function isUtcTimestamp(value: string): boolean {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/.test(value)) return false;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return false;
  return new Date(ms).toISOString() === `${value.slice(0, 19)}.000Z`;
}

/** Parses a timestamp that already passed isUtcTimestamp into epoch seconds. */
export function timestampSeconds(value: string): number {
  return Date.parse(value) / 1000;
}

export function formatTimestamp(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** Strict base64url (S3): only the URL-safe alphabet, no padding, and canonical trailing bits. */
export function isCanonicalBase64url(value: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(value) || value.length % 4 === 1) return false;
  return Buffer.from(value, "base64url").toString("base64url") === value;
}

/** SPEC section 4: a nonce is the base64url of 16 to 64 random bytes. */
export function isNonce(value: string): boolean {
  if (!isCanonicalBase64url(value)) return false;
  const length = Buffer.from(value, "base64url").length;
  return length >= 16 && length <= 64;
}
