import { existsSync } from "node:fs";
import { FailclosedError } from "../../kernel/errors.js";
import { openDatabase, type DatabaseLocation } from "../db/open.js";
import type { SqlDatabase } from "../db/session.js";
import { createGate, type GateConfig } from "../gate/gate.js";
import { establishLedger, type LedgerIdentity, type LedgerOrigin } from "../gate/ledger/identity.js";
import { openLedger } from "../gate/ledger/ledger.js";
import type { Ledger, LedgerOptions } from "../gate/ledger/types.js";
import type { Keyring } from "../seal/keyring.js";
import { classifyWrittenVerdict, laneNotConfigured, type Answer, type Service } from "./service.js";

export interface GateServiceOptions extends Omit<GateConfig, "ledger" | "keyring"> {
  readonly keyring: Keyring;
  readonly database: DatabaseLocation;
  readonly ledger?: LedgerOptions;
  /**
   * The ledger this gate must find (issue #13): an empty database or another ledger is refused
   * with LEDGER_UNKNOWN. Without it, a ledger is found or made; `identity.origin` says which.
   */
  readonly ledgerId?: string;
  /** The rehearsal lane, when this server also rehearses (issue: the clone-rehearsal lane). */
  readonly rehearse?: (body: Uint8Array) => Promise<Answer>;
}

export interface GateService extends Service {
  readonly ledger: Ledger;
  readonly db: SqlDatabase;
  readonly identity: LedgerIdentity & { readonly origin: LedgerOrigin };
}

/** Opens the database, migrates the ledger (refusing to start if it cannot) and builds the gate. */
export async function openGateService(options: GateServiceOptions): Promise<GateService> {
  const where = options.database;
  // A gate told which ledger to expect must not even create the directory of a new one.
  if (
    options.ledgerId !== undefined &&
    where.engine === "pglite" &&
    where.dataDir !== undefined &&
    !existsSync(where.dataDir)
  ) {
    throw new FailclosedError(
      "LEDGER_UNKNOWN",
      `expected ledger ${options.ledgerId}, but ${where.dataDir} does not exist: refusing to start on a new, empty ledger`,
    );
  }
  const db = await openDatabase(options.database);
  let ledger: Ledger;
  let identity: LedgerIdentity & { origin: LedgerOrigin };
  try {
    identity = await establishLedger(db, options.ledgerId);
    ledger = await openLedger(db, options.ledger);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  const { database: _database, ledger: _ledger, ledgerId: _ledgerId, rehearse, ...config } = options;
  let gate;
  try {
    gate = createGate({ ...config, ledger });
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return {
    ledger,
    db,
    identity,
    async decide(body) {
      const decision = await gate.decide(body);
      return { bytes: decision.bytes, class: classifyWrittenVerdict(decision.bytes) };
    },
    rehearse: rehearse ?? (() => Promise.resolve(laneNotConfigured())),
    async health() {
      await ledger.consumedCount();
    },
    close: () => db.close(),
  };
}
