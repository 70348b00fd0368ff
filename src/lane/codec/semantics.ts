/**
 * Clock-free rules that JSON Schema cannot state: windows between two timestamps of one document
 * and uniqueness of ids inside arrays of objects. Clock-dependent checks (expired, not yet valid,
 * issued in the future) belong to the component that owns the clock.
 */
import type { DocumentKind, DocumentsByKind } from "./documents.js";
import { timestampSeconds } from "./formats.js";
import { type CodecRejection, rejection } from "./rejection.js";

export const PACKET_MAX_LIFETIME_SECONDS = 30 * 24 * 3600;
export const GRANT_MAX_WINDOW_SECONDS = 24 * 3600;
export const PERMIT_MAX_LIFETIME_SECONDS = 15 * 60;

function windowRejection(
  from: string,
  to: string,
  maxSeconds: number,
  path: string,
): CodecRejection | undefined {
  const span = timestampSeconds(to) - timestampSeconds(from);
  return span > 0 && span <= maxSeconds ? undefined : rejection("window_invalid", { path });
}

export function checkSemantics<K extends DocumentKind>(
  kind: K,
  doc: DocumentsByKind[K],
): CodecRejection | undefined {
  switch (kind) {
    case "decision-packet": {
      const packet = doc as DocumentsByKind["decision-packet"];
      const ids = new Set<string>();
      for (const [index, blocker] of packet.blockers.entries()) {
        if (ids.has(blocker.id)) return rejection("duplicate_id", { path: `/blockers/${index}/id` });
        ids.add(blocker.id);
      }
      return windowRejection(packet.issued_at, packet.expires_at, PACKET_MAX_LIFETIME_SECONDS, "/expires_at");
    }
    case "grant": {
      const grant = doc as DocumentsByKind["grant"];
      return windowRejection(grant.not_before, grant.expires_at, GRANT_MAX_WINDOW_SECONDS, "/expires_at");
    }
    case "permit": {
      const permit = doc as DocumentsByKind["permit"];
      return windowRejection(permit.issued_at, permit.expires_at, PERMIT_MAX_LIFETIME_SECONDS, "/expires_at");
    }
    case "action-request":
    case "verdict":
    case "rehearsal-request":
    case "rehearsal-result":
    case "evidence":
    case "clone-marker":
    case "jws-header":
      return undefined;
    default:
      return undefined;
  }
}
