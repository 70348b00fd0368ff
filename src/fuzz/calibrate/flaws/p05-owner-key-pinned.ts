/**
 * A seal check pinned to one owner key: packets and grants are honoured only under the first owner
 * key the gate's keyring lists, as if an owner had exactly one key. Everything else is the shipped
 * verification. Nothing forged gets through, so no attack family's verdict sees it; but a packet
 * the owner sealed with its second (or rotated) key is refused where the same decision under the
 * first key is not (S1: any key of the role seals). The metamorphic oracle's re-seal relation
 * finds it from any refused probe: the same request re-sealed by another owner key must get the
 * same verdict and reasons.
 */
import { SHIPPED_GATE_COMPONENTS } from "../../../lane/index.js";
import type { VerifySeal } from "../../../lane/index.js";
import { err } from "../../../kernel/result.js";

function headerKid(jws: string): unknown {
  try {
    const header = JSON.parse(Buffer.from(jws.split(".")[0] ?? "", "base64url").toString("utf8")) as unknown;
    return typeof header === "object" && header !== null ? (header as { kid?: unknown }).kid : undefined;
  } catch {
    return undefined;
  }
}

export const ownerKeyPinned: VerifySeal = async (keyring, kind, jws) => {
  if (kind === "decision-packet" || kind === "grant") {
    const pinned = [...keyring.values()].find((key) => key.role === "owner");
    // The flaw: the kid must be that one key's, not any owner key's.
    if (pinned !== undefined && headerKid(jws) !== pinned.kid) return err({ code: "kid_unknown" });
  }
  return SHIPPED_GATE_COMPONENTS.verifySeal(keyring, kind, jws);
};
