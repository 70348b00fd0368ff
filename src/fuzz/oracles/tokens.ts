/**
 * JWS-looking tokens in output text (SPEC F2: no permit, no seal by an owner, gate or rehearsal key).
 * Runs of base64url characters and dots are cut into every window of three segments, so a token
 * glued to other dotted text (`host.example.<jws>`) is still found, and a detached `header..sig`
 * too. Linear: one pass of a single character class, no backtracking over long runs.
 */

const RUN = /[A-Za-z0-9_.-]+/g;
/** The shortest protected header of a seal (`{"alg":"HS256"}` alone is 20 characters). */
const MIN_HEADER = 16;
/** The shortest signature of a seal: HS256 is 43 characters, Ed25519 86. */
const MIN_SIGNATURE = 40;

export interface JwsToken {
  readonly text: string;
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

function latin1(data: string | Uint8Array): string {
  return typeof data === "string"
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1");
}

/** The text as it is, and JSON-unescaped or percent-decoded when it holds escapes. */
export function textViews(data: string | Uint8Array): string[] {
  const text = latin1(data);
  const views = [text];
  if (text.includes("\\"))
    views.push(
      text.replace(/\\u([0-9A-Fa-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    );
  if (text.includes("%"))
    views.push(
      text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    );
  return views;
}

export function findJwsTokens(data: string | Uint8Array): JwsToken[] {
  const found = new Map<string, JwsToken>();
  for (const view of textViews(data)) {
    for (const match of view.matchAll(RUN)) {
      const run = match[0];
      if (run.length < MIN_HEADER + MIN_SIGNATURE + 2 || run.indexOf(".") === run.lastIndexOf(".")) continue;
      const segments = run.split(".");
      for (let i = 0; i + 2 < segments.length; i++) {
        const header = segments[i] ?? "";
        const payload = segments[i + 1] ?? "";
        const signature = segments[i + 2] ?? "";
        if (header.length < MIN_HEADER || signature.length < MIN_SIGNATURE) continue;
        const text = `${header}.${payload}.${signature}`;
        if (!found.has(text)) found.set(text, { text, header, payload, signature });
      }
    }
  }
  return [...found.values()];
}

const BASE64_RUN = /[A-Za-z0-9+/_-]{60,}={0,2}/g;

/**
 * Whether the probe's own bytes carried this signature: a token signed with it is then an echo of
 * the input (the attacker sent it), not a seal the target made for this probe. The input is read as
 * text, unescaped, and with every long base64 run decoded, so a grant the probe smuggled in
 * encoded and the target decoded is still recognised; matching on the signature also covers a copy
 * whose payload was stripped (detached) or re-encoded.
 */
export function inputCarries(bytes: Uint8Array): (signature: string) => boolean {
  // Decoding every base64 run of a 60 KB probe is wasted on the usual answer, which holds no token
  // at all: the views are only built when the first token is looked up.
  let views: string[] | undefined;
  return (signature) => (views ??= inputViews(bytes)).some((view) => view.includes(signature));
}

function inputViews(bytes: Uint8Array): string[] {
  const views = textViews(bytes);
  for (const view of [...views]) {
    for (const match of view.matchAll(BASE64_RUN)) {
      const decoded = Buffer.from(
        match[0].replace(/[+/]/g, (c) => (c === "+" ? "-" : "_")),
        "base64url",
      );
      views.push(decoded.toString("latin1"));
    }
  }
  return views;
}
