import { join } from "node:path";
import { databaseLocation, type DatabaseLocation } from "../lane/db/open.js";
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
  skew: { type: "string" },
  at: { type: "string" },
  "test-mode": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const GATE_FLAGS_HELP = `  --keyring K        JWK Set file(s): the gate's private key, owner and rehearsal public keys
  --database-url URL a real PostgreSQL server for the ledger (or FAILCLOSED_DATABASE_URL)
  --data-dir DIR     embedded PGlite kept in DIR (default ./.failclosed/gate-db)
  --ephemeral        embedded PGlite in memory: consumed grants are forgotten on exit
  --skew SECONDS     tolerance for an issuer's clock running ahead, 0-300 (default 60)
  --at TIMESTAMP      decide as if the clock read TIMESTAMP (RFC 3339 UTC); test mode only
  --test-mode        accept keyrings marked test-only (also FAILCLOSED_TEST_MODE=1)`;

export const DEFAULT_GATE_DATA_DIR = join(".failclosed", "gate-db");

export interface GateFlagValues {
  keyring?: string[];
  "database-url"?: string;
  "data-dir"?: string;
  ephemeral?: boolean;
  skew?: string;
  at?: string;
  "test-mode"?: boolean;
}

export interface GateSetup {
  readonly keyring: Keyring;
  readonly database: DatabaseLocation;
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
    ...(values.skew === undefined ? {} : { skewSeconds: Number(values.skew) }),
    ...(clock === undefined ? {} : { clock }),
  };
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value !== "";
}
