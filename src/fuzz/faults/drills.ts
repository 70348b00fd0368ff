/**
 * The fault drills of one reference target (catalogue.ts): each fault provoked in a component of
 * its own, the probe's bytes fired at it, and everything it answered, printed, wrote and recorded
 * returned as an Outcome, which the oracles judge like any other (F1, F2, F4). Start faults do not
 * depend on the bytes: each is provoked once per target and its outcome given to every probe.
 */
import { join } from "node:path";
import type { Outcome, Operation, SideChannels } from "../types.js";
import { faultNamed, type FaultName } from "./catalogue.js";
import { GateDrill, type GateDrillAnswer, type GateDrillEnv } from "./gate-drill.js";
import { rehearseUnderFault, type LaneDrillAnswer, type LaneDrillEnv, type LaneFault } from "./lane-drill.js";
import type { LedgerFault } from "./faulty-ledger.js";
import { capturePrinted } from "./printed.js";
import { startUnderFault, type StartDrillEnv, type StartFault } from "./start-drill.js";

export interface FaultDrillEnv {
  /** A directory the drills may make subdirectories in (the target removes it on close). */
  readonly dir: string;
  readonly gate: GateDrillEnv;
  readonly lane: LaneDrillEnv;
  readonly start: StartDrillEnv;
}

export interface FaultDrills {
  fire(fault: FaultName, operation: Operation, bytes: Uint8Array, timeoutMs: number): Promise<Outcome>;
  close(): Promise<void>;
}

/**
 * What a caller meets when the component refused to start: nothing that could allow. The drill
 * writes it (the component, not running, writes nothing); the header says so in every finding.
 */
const NOT_STARTED: Readonly<Record<Operation, string>> = {
  decide: '{"kind":"verdict","v":1,"verdict":"DENY","reasons":["internal_error"]}',
  rehearse: '{"kind":"rehearsal-result","v":1,"verdict":"REFUSED","reasons":["internal_error"]}',
};

function channels(stderr: string, extra: Partial<SideChannels> = {}): SideChannels {
  return { stdout: "", stderr, files: extra.files ?? new Map(), rows: extra.rows ?? [] };
}

function thrown(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

/** A drilled component's answer (with the rows or files it left) and what it printed, as an Outcome. */
function outcomeOf(value: GateDrillAnswer | LaneDrillAnswer, printed: string, elapsedMs: number): Outcome {
  const left = "rows" in value || "files" in value ? value : {};
  switch (value.kind) {
    case "answered":
      return {
        kind: "responded",
        elapsedMs,
        headers: {},
        body: value.bytes,
        channels: channels(printed, left),
      };
    case "threw":
      return { kind: "crashed", elapsedMs, detail: thrown(value.error), channels: channels(printed, left) };
    case "timed_out":
      return { kind: "timed_out", elapsedMs, channels: channels(printed, left) };
  }
}

export function openFaultDrills(env: FaultDrillEnv): FaultDrills {
  const gate = new GateDrill(env.gate);
  const starts = new Map<string, Promise<Outcome>>();
  let drills = 0;
  const nextDir = (): string => join(env.dir, `drill-${++drills}`);

  async function decide(fault: LedgerFault, bytes: Uint8Array, timeoutMs: number): Promise<Outcome> {
    const started = Date.now();
    const { value, text } = await capturePrinted(() => gate.decide(fault, bytes, timeoutMs));
    return outcomeOf(value, text, Date.now() - started);
  }

  async function rehearse(fault: LaneFault, bytes: Uint8Array, timeoutMs: number): Promise<Outcome> {
    const started = Date.now();
    const dir = nextDir();
    const { value, text } = await capturePrinted((notice) =>
      rehearseUnderFault(env.lane, fault, dir, bytes, timeoutMs, notice),
    );
    return outcomeOf(value, text, Date.now() - started);
  }

  async function start(fault: StartFault, operation: Operation): Promise<Outcome> {
    const started = Date.now();
    const dir = nextDir();
    const { value, text } = await capturePrinted((notice) =>
      startUnderFault(env.start, fault, operation, dir, notice),
    );
    const elapsedMs = Date.now() - started;
    const stderr = `${value.printed}${text}`;
    switch (value.kind) {
      case "refused":
        return {
          kind: "responded",
          elapsedMs,
          headers: { "x-failclosed-drill": `not started: ${value.code}` },
          body: new Uint8Array(Buffer.from(NOT_STARTED[operation], "utf8")),
          channels: channels(stderr),
        };
      case "accepted":
      case "unclean":
        return {
          kind: "crashed",
          elapsedMs,
          detail: `start-up fault ${fault}: ${value.detail}`,
          channels: channels(stderr),
        };
    }
  }

  return {
    async fire(fault, operation, bytes, timeoutMs) {
      // A drill that cannot be set up (a clone that cannot be copied) is the harness's failure:
      // never a pass, never a finding (DESIGN.md).
      return fireDrill(fault, operation, bytes, timeoutMs).catch((error: unknown): Outcome => ({
        kind: "harness_error",
        detail: `fault drill ${fault}: ${thrown(error)}`,
      }));
    },
    close: () => gate.close(),
  };

  async function fireDrill(
    fault: FaultName,
    operation: Operation,
    bytes: Uint8Array,
    timeoutMs: number,
  ): Promise<Outcome> {
    const known = faultNamed(fault);
    if (!known.operations.includes(operation))
      return {
        kind: "harness_error",
        detail: `fault ${fault} is not provoked in the ${operation} component`,
      };
    switch (fault) {
      case "ledger-unavailable":
      case "ledger-fails-mid-decision":
        return decide(fault, bytes, timeoutMs);
      case "clone-unavailable":
      case "clone-vanishes-mid-rehearsal":
      case "evidence-unwritable":
        return rehearse(fault, bytes, timeoutMs);
      case "keyring-missing":
      case "keyring-unreadable":
      case "keyring-malformed":
      case "keyring-wrong-role": {
        const key = `${fault} ${operation}`;
        let outcome = starts.get(key);
        if (outcome === undefined) {
          outcome = start(fault, operation).catch((error: unknown): Outcome => ({
            kind: "harness_error",
            detail: `start drill: ${String(error)}`,
          }));
          starts.set(key, outcome);
        }
        return outcome;
      }
    }
  }
}
