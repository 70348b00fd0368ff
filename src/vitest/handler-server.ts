/**
 * An in-process gate handler behind the reference lane's own HTTP server (T2) on loopback, so the
 * fuzzer reaches it the way it reaches any HTTP gate: the same oracles, the same status checks.
 * A handler that throws answers 500, which the structured oracle (F4) reports.
 */
import {
  type Answer,
  type RunningHttpServer,
  classifyWrittenRehearsal,
  classifyWrittenVerdict,
  laneNotConfigured,
  startHttpServer,
} from "../lane/index.js";

/** A gate (and optionally a lane) as functions over a document's bytes, answering a document's bytes. */
export interface GateHandler {
  decide(body: Uint8Array): Promise<Uint8Array>;
  rehearse?(body: Uint8Array): Promise<Uint8Array>;
}

export function serveHandler(handler: GateHandler): Promise<RunningHttpServer> {
  return startHttpServer({
    async decide(body): Promise<Answer> {
      const bytes = await handler.decide(body);
      return { bytes, class: classifyWrittenVerdict(bytes) };
    },
    async rehearse(body): Promise<Answer> {
      if (handler.rehearse === undefined) return laneNotConfigured();
      const bytes = await handler.rehearse(body);
      return { bytes, class: classifyWrittenRehearsal(bytes) };
    },
    health: () => Promise.resolve(),
    close: () => Promise.resolve(),
  });
}
