import { assertCanListen, startHttpServer, type RunningHttpServer } from "../../lane/server/http.js";
import { openGateService, type GateService } from "../../lane/server/gate-service.js";
import { serveJsonLines } from "../../lane/server/stdio.js";
import { openLaneAnswerer } from "../../lane/server/lane-service.js";
import { openReloadingLaneAnswerer } from "../../lane/server/reloading-lane.js";
import { loadLaneConfig } from "../../lane/rehearsal/config.js";
import { testModeFrom } from "../args.js";
import { FailclosedError } from "../../kernel/errors.js";
import { parseFlags, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { GATE_FLAGS, GATE_FLAGS_HELP, gateSetup } from "../gate-options.js";
import type { Io } from "../io.js";
import { announceLedger } from "./ledger.js";

export const SERVE_USAGE = `Usage: failclosed serve --keyring K [--host H] [--port P] [options]
       failclosed serve --keyring K --stdio [options]

Serves the gate. HTTP (T2): POST /v1/decide, POST /v1/rehearse, GET /healthz; prints the URL on
stdout once listening; SIGTERM or SIGINT closes it gracefully. Only application/json bodies
(415 otherwise); headers and the whole request within 15 s; 256 connections at most. --stdio (T3): JSON lines
{"op":"decide"|"rehearse","body_b64":"..."} on stdin, one answer a line on stdout.
  --host H           address to bind (default 127.0.0.1)
  --port P           port (default 8080; 0 picks a free one)
  --lane-config C    also serve the rehearsal lane configured in C (else /v1/rehearse refuses)
  --lane-reload      read C and open its clone afresh for every rehearsal, holding nothing
                     between rehearsals, so that the clone's marker and the production
                     identities can be changed in place (failclosed clone hook, for P07)
${GATE_FLAGS_HELP}`;

export async function serveCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      ...GATE_FLAGS,
      host: { type: "string" },
      port: { type: "string" },
      stdio: { type: "boolean" },
      "lane-config": { type: "string" },
      "lane-reload": { type: "boolean" },
    },
    SERVE_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${SERVE_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw usageError("serve takes no positional arguments", SERVE_USAGE);
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (values.port !== undefined && (!/^[0-9]{1,5}$/.test(values.port) || port > 65535)) {
    throw new FailclosedError("USAGE", "--port takes a number from 0 to 65535");
  }
  const setup = await gateSetup(values, io, SERVE_USAGE);
  const listen = { host: values.host ?? "127.0.0.1", port };
  if (values.stdio !== true) await assertCanListen(listen);
  const laneConfig = values["lane-config"];
  if (values["lane-reload"] === true && laneConfig === undefined)
    throw usageError("--lane-reload goes with --lane-config", SERVE_USAGE);
  const laneOptions = { testMode: testModeFrom(values["test-mode"], io.env) };
  const lane =
    laneConfig === undefined
      ? undefined
      : values["lane-reload"] === true
        ? await openReloadingLaneAnswerer(laneConfig, laneOptions)
        : await openLaneAnswerer(loadLaneConfig(laneConfig), laneOptions);
  let service: GateService;
  try {
    service = await openGateService({
      ...setup,
      ...(lane === undefined ? {} : { rehearse: lane.rehearse }),
    });
  } catch (error) {
    await lane?.lane.close();
    throw error;
  }
  // Everything opened is closed on every way out, or the process would never exit.
  const closeAll = async (): Promise<void> => {
    await service.close();
    await lane?.lane.close();
  };
  if (!setup.ephemeral) announceLedger(service.identity, setup.database, io);
  if (values.stdio === true) {
    try {
      await serveJsonLines(service, process.stdin, process.stdout);
    } finally {
      await closeAll();
    }
    return EXIT.OK;
  }
  let running: RunningHttpServer;
  try {
    running = await startHttpServer(service, listen);
  } catch (error) {
    await closeAll();
    throw error;
  }
  io.stdout(`${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await running.close();
  await closeAll();
  return EXIT.OK;
}
