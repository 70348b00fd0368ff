/**
 * The reference lane with one flaw planted, as the engine opens targets: in process with a seam
 * swapped (openReferenceTarget's components), or the reference gate behind the real HTTP server or
 * the real JSON-lines server with the flaw in its transport layer.
 */
import { assertNever } from "../../kernel/result.js";
import { startHttpServer } from "../../lane/index.js";
import { openHttpTarget } from "../targets/http.js";
import { referenceOpener, type TargetOpener } from "../targets/opener.js";
import type { FlawSwap } from "./flaw.js";
import { openGateShare } from "./gate-share.js";
import { openJsonLinesTarget } from "../targets/json-lines.js";

export type { TargetOpener };

export function flawedOpener(swap: FlawSwap, workDir: string): TargetOpener {
  switch (swap.kind) {
    case "component":
      return referenceOpener(workDir, { components: swap.components });
    case "http":
      return async (kut, now) => {
        const service = await openGateShare(kut, now);
        const server = await startHttpServer(swap.wrap(service)).catch(async (error: unknown) => {
          await service.close();
          throw error;
        });
        const target = openHttpTarget(server.url);
        return {
          name: `http ${server.url} (calibration)`,
          operations: ["decide"],
          fire: (operation, bytes, timeoutMs, request) => target.fire(operation, bytes, timeoutMs, request),
          restart: () => target.restart(),
          close: async () => {
            await target.close();
            await server.close();
            await service.close();
          },
        };
      };
    case "json-lines":
      return async (kut, now) => openJsonLinesTarget(swap.wrap(await openGateShare(kut, now)));
    default:
      return assertNever(swap, "flaw swap");
  }
}
