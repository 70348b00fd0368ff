/** JWS text taken apart and put together by hand: forgeries need bytes no library would write. */

/** A header written member by member: duplicates and extra members are the point. */
export function headerText(members: ReadonlyArray<readonly [string, unknown]>): string {
  return `{${members.map(([name, v]) => `${JSON.stringify(name)}:${JSON.stringify(v)}`).join(",")}}`;
}

export const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64url");
export const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export function splitJws(jws: string): [string, string, string] {
  const [h = "", p = "", s = ""] = jws.split(".");
  return [h, p, s];
}
