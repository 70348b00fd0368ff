/**
 * P01's flawed verdict writer for G7: a refusal that "helps" log correlation by giving back the
 * request_id it can find in the request, also when the codec refused the request. The id is
 * scraped with a pattern, as request-logging middleware does before (or instead of) parsing, and
 * kept only when it looks like an identifier (R11): the verdict stays a strict document with the
 * right status, so only G7's exact check (an id only for a request that passed the codec) sees it.
 */
import { SHIPPED_GATE_COMPONENTS, type WriteVerdict } from "../../../lane/index.js";

const SCRAPED_ID = /"request_id"\s*:\s*"([^"\\]{1,64})"/;
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function scrapedId(request: Uint8Array): string | undefined {
  const text = Buffer.from(request.buffer, request.byteOffset, request.byteLength).toString("latin1");
  const id = SCRAPED_ID.exec(text)?.[1];
  return id !== undefined && IDENTIFIER.test(id) ? id : undefined;
}

export const refusalScrapesRequestId: WriteVerdict = (verdict, request) => {
  const write = SHIPPED_GATE_COMPONENTS.writeVerdict;
  if (verdict.verdict === "ALLOW" || verdict.request_id !== undefined) return write(verdict, request);
  const id = scrapedId(request);
  return write(id === undefined ? verdict : { ...verdict, request_id: id }, request);
};
