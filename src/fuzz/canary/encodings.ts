/**
 * Every form in which a planted secret could leave a component (SPEC F2): raw, its bytes as base64,
 * base64url, hex, percent and JSON escapes, and the forms a careless log line produces (a Buffer
 * printed by console.log, a byte array in JSON, a PEM or DER dump of the key).
 */

/** One searchable form of a secret; `encoding` names it in findings, never the secret itself. */
export interface CanaryEncoding {
  readonly encoding: string;
  readonly text: string;
}

/** Shorter forms would hit by chance in megabytes of random output. */
export const MIN_ENCODING_LENGTH = 16;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The secret's raw bytes: JWK members (`d`, `k`, `p`, …) are base64url, so their bytes are what a
 * key dump would print; any other canary string stands for its own UTF-8 bytes.
 */
export function secretBytes(secret: string): Buffer {
  if (BASE64URL.test(secret) && secret.length % 4 !== 1) {
    const bytes = Buffer.from(secret, "base64url");
    // Only canonical text names bytes unambiguously; anything else is a plain string canary.
    if (bytes.toString("base64url") === secret) return bytes;
  }
  return Buffer.from(secret, "utf8");
}

/**
 * The characters of base64(prefix + bytes + suffix) that depend on `bytes` alone, for a prefix of
 * `offset` bytes (0, 1 or 2 modulo 3). A key inside a larger encoded blob (a PEM's PKCS#8 body, a
 * JWS payload holding a JWK) shows up as exactly one of these three alignments.
 */
function embeddedBase64(bytes: Uint8Array, offset: 0 | 1 | 2, alphabet: "base64" | "base64url"): string {
  const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
  const text = padded.toString(alphabet).replace(/=+$/, "");
  const first = Math.ceil((offset * 8) / 6);
  const last = Math.floor((padded.length * 8) / 6);
  return text.slice(first, last);
}

function percent(bytes: Uint8Array, upper: boolean): string {
  let out = "";
  for (const byte of bytes) out += `%${byte.toString(16).padStart(2, "0")}`;
  return upper ? out.toUpperCase() : out;
}

function jsonEscaped(text: string, upper: boolean): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const hex = text.charCodeAt(i).toString(16).padStart(4, "0");
    out += `\\u${upper ? hex.toUpperCase() : hex}`;
  }
  return out;
}

/** Every form, labelled, in order of preference for naming a hit; duplicates and short forms dropped. */
export function labelledEncodings(secret: string): CanaryEncoding[] {
  const bytes = secretBytes(secret);
  const text = Buffer.from(secret, "utf8");
  const hex = bytes.toString("hex");
  const forms: Array<[string, string]> = [
    ["raw", secret],
    ["bytes", bytes.toString("latin1")],
    ["base64", bytes.toString("base64")],
    ["base64 unpadded", bytes.toString("base64").replace(/=+$/, "")],
    ["base64url", bytes.toString("base64url")],
    ["hex", hex],
    ["hex upper", hex.toUpperCase()],
    // console.log(buffer) prints `<Buffer 9d 3a …>`; JSON.stringify(buffer) and inspect(Uint8Array)
    // print decimal lists.
    ["hex spaced", hex.replace(/(..)(?!$)/g, "$1 ")],
    ["decimal list", [...bytes].join(",")],
    ["decimal list spaced", [...bytes].join(", ")],
    ["percent", percent(bytes, true)],
    ["percent lower", percent(bytes, false)],
    ["json escape", jsonEscaped(secret, false)],
    ["json escape upper", jsonEscaped(secret, true)],
    ["base64 of text", text.toString("base64")],
    ["base64 of text unpadded", text.toString("base64").replace(/=+$/, "")],
    ["base64url of text", text.toString("base64url")],
  ];
  for (const offset of [0, 1, 2] as const) {
    for (const alphabet of ["base64", "base64url"] as const) {
      forms.push([`${alphabet} embedded at ${offset}`, embeddedBase64(bytes, offset, alphabet)]);
      forms.push([`${alphabet} of text embedded at ${offset}`, embeddedBase64(text, offset, alphabet)]);
    }
  }
  const seen = new Set<string>();
  const out: CanaryEncoding[] = [];
  for (const [encoding, form] of forms) {
    if (form.length < MIN_ENCODING_LENGTH || seen.has(form)) continue;
    seen.add(form);
    out.push({ encoding, text: form });
  }
  return out;
}

/**
 * The brief's surface: the secret raw, its bytes as base64 (padded and not), base64url, hex (both
 * cases), percent (both cases), JSON \uXXXX escapes, and the string itself base64'd, plus the
 * embedded and log-line forms above.
 */
export function encodings(secret: string): string[] {
  return labelledEncodings(secret).map((form) => form.text);
}
