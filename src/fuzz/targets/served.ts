/**
 * One generation of the reference lane served over every transport of SPEC section 8: T1 through
 * the service's own calls, T2 through the real HTTP server (`failclosed serve`) on 127.0.0.1 at
 * an ephemeral port, T3 through the real JSON-lines server over in-memory streams (json-lines.ts
 * says why not a child). All three reach the same gate, ledger, lane and clone, so a probe's side
 * channels and state are read the same way whichever carried it. A flawed transport layer is
 * planted by wrapping the service one server sees (TransportWraps), never the others.
 */
import { startHttpServer, type RunningHttpServer, type Service } from "../../lane/index.js";
import type { Operation, Outcome, Target, Transport } from "../types.js";
import { NO_CHANNELS } from "./channels.js";
import { describeError, millisSince } from "./deadline.js";
import { openHttpTarget } from "./http.js";
import { openJsonLinesTarget } from "./json-lines.js";

/** Flawed transport layers, for tests and calibration: each wraps what its server serves. */
export interface TransportWraps {
  readonly http?: (service: Service) => Service;
  readonly jsonLines?: (service: Service) => Service;
}

export interface ServedSystem {
  /** One request over one transport; never throws (a failure is the outcome's). */
  fire(transport: Transport, operation: Operation, bytes: Uint8Array, timeoutMs: number): Promise<Outcome>;
  /** Stops both servers; the service itself stays its owner's to close. */
  close(): Promise<void>;
}

const OPERATIONS: readonly Operation[] = ["decide", "rehearse"];

/** The service's close belongs to the generation: a server must not close it on its own. */
function unclosable(service: Service): Service {
  return {
    decide: (body) => service.decide(body),
    rehearse: (body) => service.rehearse(body),
    health: () => service.health(),
    close: () => Promise.resolve(),
  };
}

async function fireInProcess(service: Service, operation: Operation, bytes: Uint8Array): Promise<Outcome> {
  const start = performance.now();
  try {
    const answer = await service[operation](bytes);
    return {
      kind: "responded",
      elapsedMs: millisSince(start),
      headers: {},
      body: answer.bytes,
      channels: NO_CHANNELS,
      transport: "in-process",
    };
  } catch (error) {
    return {
      kind: "crashed",
      elapsedMs: millisSince(start),
      detail: describeError(error),
      channels: NO_CHANNELS,
    };
  }
}

export async function serveOverTransports(
  service: Service,
  wraps: TransportWraps = {},
): Promise<ServedSystem> {
  const shared = unclosable(service);
  const server: RunningHttpServer = await startHttpServer((wraps.http ?? ((s) => s))(shared), {
    host: "127.0.0.1",
    port: 0,
  });
  // Kept-alive connections, as users' gates are fired at: a connection per request cost each HTTP
  // probe a connect and an accept on both sides of this one process. Reuse is safe since the
  // server closes every connection whose body it did not read (`connection: close` on a 413, an
  // answer sent before the body was all in); a reused socket stalled by about 6 s after such an
  // answer before that (P01 took 8 min instead of 46 s).
  const http: Target = openHttpTarget(server.url);
  const jsonLines = openJsonLinesTarget((wraps.jsonLines ?? ((s) => s))(shared), {
    operations: OPERATIONS,
    ownsService: false,
  });
  return {
    async fire(transport, operation, bytes, timeoutMs) {
      switch (transport) {
        case "in-process":
          return fireInProcess(shared, operation, bytes);
        case "http": {
          const outcome = await http.fire(operation, bytes, timeoutMs);
          return outcome.kind === "responded" ? { ...outcome, transport } : outcome;
        }
        case "json-lines":
          return jsonLines.fire(operation, bytes, timeoutMs);
      }
    },
    async close() {
      await Promise.allSettled([http.close(), jsonLines.close()]);
      await server.close();
    },
  };
}
