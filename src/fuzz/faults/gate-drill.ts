/**
 * The gate the request drills decide on: one per target, opened at the first drill (a default run
 * pays for one extra in-memory ledger, not one per drill), with the fault switched in through its
 * ledger seam for exactly one decision at a time. It is not the generation's gate: a drill never
 * touches the state the other families' snapshots (F3) compare.
 */
import type { Clock } from "../../kernel/clock.js";
import { openGateService, type GateComponents, type GateService, type Keyring } from "../../lane/index.js";
import { watchAudit, type AuditWatch } from "../targets/audit-watch.js";
import { race } from "../targets/deadline.js";
import { faultyLedger, type LedgerFault } from "./faulty-ledger.js";

export interface GateDrillEnv {
  readonly keyring: Keyring;
  readonly clock: Clock;
  readonly gateKid?: string;
  /** Flawed parts a test swapped in (calibration, must-fire tests); the fault wraps their ledger. */
  readonly components?: Partial<GateComponents>;
}

/** What a decision under a fault gave: its answer (or a throw, or no answer in time) and its rows. */
export type GateDrillAnswer =
  | { readonly kind: "answered"; readonly bytes: Uint8Array; readonly rows: readonly string[] }
  | { readonly kind: "threw"; readonly error: unknown; readonly rows: readonly string[] }
  | { readonly kind: "timed_out" };

interface Opened {
  readonly gate: GateService;
  readonly audit: AuditWatch;
}

export class GateDrill {
  #opened: Promise<Opened> | undefined;
  #fault: LedgerFault | undefined;

  constructor(private readonly env: GateDrillEnv) {}

  #open(): Promise<Opened> {
    const flawed = this.env.components?.ledger;
    this.#opened ??= (async () => {
      const gate = await openGateService({
        keyring: this.env.keyring,
        database: { engine: "pglite" },
        clock: this.env.clock,
        ...(this.env.gateKid === undefined ? {} : { gateKid: this.env.gateKid }),
        components: {
          ...this.env.components,
          // The fault is in the database, beneath whatever the gate wraps around its ledger.
          ledger: (configured) => {
            const broken = faultyLedger(configured, () => this.#fault);
            return flawed?.(broken) ?? broken;
          },
        },
      });
      return { gate, audit: await watchAudit(gate.ledger) };
    })();
    return this.#opened;
  }

  /** Decides `bytes` with `fault` in the ledger; the caller serialises drills (printed.ts). */
  async decide(fault: LedgerFault, bytes: Uint8Array, timeoutMs: number): Promise<GateDrillAnswer> {
    const { gate, audit } = await this.#open();
    this.#fault = fault;
    let raced;
    try {
      raced = await race(gate.decide(bytes), timeoutMs);
    } finally {
      this.#fault = undefined;
    }
    if (raced.kind === "timed_out") {
      // A gate stuck in a decision is of no further use: the next drill opens a new one.
      await this.close();
      return { kind: "timed_out" };
    }
    const rows = await audit.appended();
    return raced.kind === "done"
      ? { kind: "answered", bytes: raced.value.bytes, rows }
      : { kind: "threw", error: raced.error, rows };
  }

  async close(): Promise<void> {
    const opened = this.#opened;
    this.#opened = undefined;
    if (opened !== undefined)
      await (await opened.catch(() => undefined))?.gate.close().catch(() => undefined);
  }
}
