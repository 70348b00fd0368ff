/**
 * What a verified token is, read from its own bytes after sealedBy vouched for it: the typ named
 * in its protected header (for findings) and, for a rehearsal seal, the evidence it attests.
 */
import { decodeDocument, isSealType } from "../../lane/index.js";
import type { EvidenceClaims } from "../../lane/index.js";
import type { JwsToken } from "./tokens.js";

/** The header's typ when it is one of the protocol's seal types, else "unknown typ". */
export function sealTypeOf(token: JwsToken): string {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.header, "base64url").toString("utf8"));
    const typ = typeof header === "object" && header !== null ? (header as { typ?: unknown }).typ : undefined;
    return typeof typ === "string" && isSealType(typ) ? typ : "unknown typ";
  } catch {
    return "unknown typ";
  }
}

/** The strictly decoded evidence claims of an attached seal, or undefined when they are not that. */
export function evidenceClaims(token: JwsToken): EvidenceClaims | undefined {
  const decoded = decodeDocument("evidence", Buffer.from(token.payload, "base64url"));
  return decoded.ok ? decoded.value : undefined;
}
