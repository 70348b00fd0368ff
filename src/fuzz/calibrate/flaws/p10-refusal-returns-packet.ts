/**
 * P10's second flawed verdict writer: a refusal that hands back the decision packet it refused
 * ("so the caller sees which decision was applied"), copied from the request as the client sent it.
 * The packet is a JWS sealed by the owner's key: G7 says a refusal carries no JWS and echoes no
 * input, and a client that logs refusals now logs the owner's sealed decisions.
 */
import { SHIPPED_GATE_COMPONENTS, type WriteVerdict } from "../../../lane/index.js";

function packetOf(request: Uint8Array): unknown {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(request).toString("utf8"));
    return typeof parsed === "object" && parsed !== null
      ? (parsed as Record<string, unknown>)["packet"]
      : undefined;
  } catch {
    return undefined;
  }
}

export const refusalReturnsPacket: WriteVerdict = (verdict, request) => {
  const packet = packetOf(request);
  if (verdict.verdict === "ALLOW" || packet === undefined)
    return SHIPPED_GATE_COMPONENTS.writeVerdict(verdict, request);
  return Buffer.from(JSON.stringify({ ...verdict, packet }), "utf8");
};
