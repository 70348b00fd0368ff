/**
 * The gate the request drills decide on: one per target, opened at the first drill (a default run
 * pays for one extra in-memory ledger, not one per drill) and closed once no drill has come for
 * IDLE_CLOSE_MS (its PGlite holds about 180 MB, which D01's last drill, seconds into a run, would
 * otherwise keep to the run's end: issue #17's peak memory), with the fault switched in through its
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

/** How long the drill gate stays open with no drill: D01's drills come well within it of each other. */
export const IDLE_CLOSE_MS = 2_000;

interface Opened {
  readonly gate: GateService;
  readonly audit: AuditWatch;
}

export class GateDrill {
  #opened: Promise<Opened> | undefined;
  #fault: LedgerFault | undefined;
  #deciding = 0;
  #idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly env: GateDrillEnv,
    private readonly idleCloseMs = IDLE_CLOSE_MS,
  ) {}

  /** Whether a gate is open (or opening) now; for tests of the idle close. */
  get isOpen(): boolean {
    return this.#opened !== undefined;
  }

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
    clearTimeout(this.#idle);
    this.#deciding += 1;
    try {
      return await this.#decide(fault, bytes, timeoutMs);
    } finally {
      this.#deciding -= 1;
      if (this.#deciding === 0 && this.#opened !== undefined) {
        this.#idle = setTimeout(() => {
          if (this.#deciding === 0) void this.close();
        }, this.idleCloseMs);
        // A run that is over never waits for this timer.
        this.#idle.unref();
      }
    }
  }

  async #decide(fault: LedgerFault, bytes: Uint8Array, timeoutMs: number): Promise<GateDrillAnswer> {
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
    clearTimeout(this.#idle);
    const opened = this.#opened;
    this.#opened = undefined;
    if (opened !== undefined)
      await (await opened.catch(() => undefined))?.gate.close().catch(() => undefined);
  }
}
