/**
 * Echo markers (SPEC G7, F2): unique strings planted where a probe's bytes are free (a request's
 * request_id, a comment in a migration), so that an answer or a side channel that carries input
 * bytes back is found the way a planted canary is, instead of guessed at. A marker is derived
 * from the probe's seeded value (and the run's salt where there is one): replaying the bytes fires
 * the same markers, regenerating from seed and path makes them again, and a shrunk value gets its
 * own. The oracle finds a probe's markers in its bytes alone (plantedMarkers), so nothing beside
 * the bytes has to travel with a finding.
 */
import { createHash } from "node:crypto";

export const MARKER_PREFIX = "fcmk_";
/** 96 bits: no two probes of a run share one, and no component can produce one by chance. */
const MARKER_HEX_DIGITS = 24;
const MARKER = new RegExp(`${MARKER_PREFIX}[0-9a-f]{${MARKER_HEX_DIGITS}}`, "g");

/** The marker for one purpose of one probe; `parts` are what makes the probe unique (salt, label). */
export function markerFor(purpose: string, ...parts: readonly string[]): string {
  const hex = createHash("sha256")
    .update(["marker", purpose, ...parts].join("\0"))
    .digest("hex")
    .slice(0, MARKER_HEX_DIGITS);
  return `${MARKER_PREFIX}${hex}`;
}

/** Whether the text is exactly one marker (an identifier-shaped one: R11 accepts it as an id). */
export function isMarker(text: string): boolean {
  return text.length === MARKER_PREFIX.length + MARKER_HEX_DIGITS && text.match(MARKER)?.[0] === text;
}

/**
 * Every distinct marker in the bytes, in order of first appearance. Read as Latin-1, so that a
 * marker survives bytes that are not UTF-8 around it (markers are ASCII), and JSON-unescaped too:
 * a malformation that spells a marker's characters as `\u0066` still planted it for a component
 * that unescapes before it echoes.
 */
export function plantedMarkers(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  const found: string[] = [...(text.match(MARKER) ?? [])];
  if (text.includes("\\u")) {
    const unescaped = text.replace(/\\u([0-9A-Fa-f]{4})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
    found.push(...(unescaped.match(MARKER) ?? []));
  }
  return [...new Set(found)];
}
