import { join } from "node:path";
import { isLedgerId } from "../lane/gate/ledger/identity.js";
import { databaseLocation, type DatabaseLocation } from "../lane/db/open.js";
import { checkOutputDir } from "../kernel/directories.js";
import { FailclosedError } from "../kernel/errors.js";
import { isUtcTimestamp, timestampSeconds } from "../lane/codec/formats.js";
import { fixedClock, type Clock } from "../kernel/clock.js";
import { loadKeyring, type Keyring } from "../lane/seal/keyring.js";
import { testModeFrom, usageError } from "./args.js";
import type { Io } from "./io.js";

/** Flags shared by the commands that run a gate. */
export const GATE_FLAGS = {
  keyring: { type: "string", multiple: true },
  "database-url": { type: "string" },
  "data-dir": { type: "string" },
  ephemeral: { type: "boolean" },
  "ledger-id": { type: "string" },
  skew: { type: "string" },
  at: { type: "string" },
  "test-mode": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const GATE_FLAGS_HELP = `  --keyring K        JWK Set file(s): the gate's private key, owner and rehearsal public keys
  --database-url URL a real PostgreSQL server for the ledger (or FAILCLOSED_DATABASE_URL)
  --data-dir DIR     embedded PGlite kept in DIR (default ./.failclosed/gate-db)
  --ephemeral        embedded PGlite in memory: consumed grants are forgotten on exit
  --ledger-id ID     refuse to start unless the ledger is this one (or FAILCLOSED_LEDGER_ID);
                     without it a missing ledger is created, and announced on stderr
  --skew SECONDS     tolerance for an issuer's clock running ahead, 0-300 (default 60)
  --at TIMESTAMP      decide as if the clock read TIMESTAMP (RFC 3339 UTC); test mode only
  --test-mode        accept keyrings marked test-only (also FAILCLOSED_TEST_MODE=1)`;

export const DEFAULT_GATE_DATA_DIR = join(".failclosed", "gate-db");

export interface GateFlagValues {
  keyring?: string[];
  "database-url"?: string;
  "data-dir"?: string;
  ephemeral?: boolean;
  "ledger-id"?: string;
  skew?: string;
  at?: string;
  "test-mode"?: boolean;
}

export interface GateSetup {
  readonly keyring: Keyring;
  readonly database: DatabaseLocation;
  /** The ledger the gate must find; undefined: found or created (announced). */
  readonly ledgerId?: string;
  readonly ephemeral: boolean;
  readonly skewSeconds?: number;
  readonly clock?: Clock;
}

/**
 * A gate that forgot its consumed nonces would allow a replay after a restart, so state is kept
 * in a directory unless --ephemeral says otherwise.
 */
export async function gateSetup(values: GateFlagValues, io: Io, usage: string): Promise<GateSetup> {
  if (values.keyring === undefined) throw usageError("--keyring is required", usage);
  if (
    values.ephemeral === true &&
    (values["data-dir"] !== undefined || values["database-url"] !== undefined)
  ) {
    throw usageError("--ephemeral excludes --data-dir and --database-url", usage);
  }
  // A URL configured but empty is a mistake, never a reason to fall back to the embedded default.
  if (io.env["FAILCLOSED_DATABASE_URL"] === "" || values["database-url"] === "") {
    throw usageError("the database URL is set but empty (FAILCLOSED_DATABASE_URL or --database-url)", usage);
  }
  const ledgerId = values["ledger-id"] ?? nonEmptyValue(io.env["FAILCLOSED_LEDGER_ID"]);
  if (ledgerId !== undefined && !isLedgerId(ledgerId)) {
    throw usageError("--ledger-id (or FAILCLOSED_LEDGER_ID) is not a ledger id like ledger-0123abcd", usage);
  }
  if (ledgerId !== undefined && values.ephemeral === true) {
    throw usageError("--ephemeral makes a new ledger every time: it excludes --ledger-id", usage);
  }
  const database =
    values.ephemeral === true
      ? ({ engine: "pglite" } as const)
      : databaseLocation({
          ...(values["database-url"] === undefined ? {} : { databaseUrl: values["database-url"] }),
          env: io.env,
          // The embedded default applies only when no server was named, by flag or environment.
          dataDir:
            values["data-dir"] ??
            (values["database-url"] !== undefined || nonEmpty(io.env["FAILCLOSED_DATABASE_URL"])
              ? undefined
              : DEFAULT_GATE_DATA_DIR),
        });
  // A data directory with a file in its place is the user's error (exit 2), told before PGlite starts.
  if (database.engine === "pglite" && database.dataDir !== undefined)
    await checkOutputDir(database.dataDir, "--data-dir");
  const testMode = testModeFrom(values["test-mode"], io.env);
  const keyring = await loadKeyring(values.keyring, { testMode });
  let clock: Clock | undefined;
  if (values.at !== undefined) {
    // A gate whose clock can be set from outside could be talked into a lapsed grant's window.
    if (!testMode) throw usageError("--at is for test mode only", usage);
    if (!isUtcTimestamp(values.at)) {
      throw usageError("--at takes an RFC 3339 UTC timestamp like 2026-06-12T12:00:00Z", usage);
    }
    clock = fixedClock(timestampSeconds(values.at));
  }
  if (values.skew !== undefined && !/^[0-9]{1,3}$/.test(values.skew)) {
    throw new FailclosedError("USAGE", "--skew takes whole seconds from 0 to 300");
  }
  return {
    keyring,
    database,
    ...(ledgerId === undefined ? {} : { ledgerId }),
    ephemeral: values.ephemeral === true,
    ...(values.skew === undefined ? {} : { skewSeconds: Number(values.skew) }),
    ...(clock === undefined ? {} : { clock }),
  };
}

function nonEmptyValue(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value !== "";
}
