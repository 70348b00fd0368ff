import { existsSync } from "node:fs";
import { FailclosedError } from "../../kernel/errors.js";
import { databaseLocation, openDatabase, type DatabaseLocation } from "../../lane/db/open.js";
import {
  findLedger,
  identifyLedger,
  type LedgerIdentity,
  type LedgerOrigin,
} from "../../lane/gate/ledger/identity.js";
import { parseFlags, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { DEFAULT_GATE_DATA_DIR } from "../gate-options.js";
import type { Io } from "../io.js";

export const LEDGER_USAGE = `Usage: failclosed ledger init [--database-url URL | --data-dir DIR]
       failclosed ledger show [--database-url URL | --data-dir DIR]

The gate's ledger (consumed grants and the audit log) with its identity. 'init' creates a ledger
(or gives an existing one made by an older version an id) and prints its id: configure it as
--ledger-id or FAILCLOSED_LEDGER_ID for serve and decide, which then refuse any other ledger and
an empty database. It refuses (LEDGER_EXISTS) when the ledger already has an id. 'show' prints the
id and creation time, and exits 1 when there is no identified ledger.
  --database-url URL a real PostgreSQL server (or FAILCLOSED_DATABASE_URL)
  --data-dir DIR     embedded PGlite kept in DIR (default ./.failclosed/gate-db)`;

export async function ledgerCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(
    args,
    {
      "database-url": { type: "string" },
      "data-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    LEDGER_USAGE,
  );
  if (values.help === true) {
    io.stdout(`${LEDGER_USAGE}\n`);
    return EXIT.OK;
  }
  const [action, ...rest] = positionals;
  if ((action !== "init" && action !== "show") || rest.length > 0) {
    throw usageError("ledger takes one action: init or show", LEDGER_USAGE);
  }
  if (io.env["FAILCLOSED_DATABASE_URL"] === "" || values["database-url"] === "") {
    throw usageError(
      "the database URL is set but empty (FAILCLOSED_DATABASE_URL or --database-url)",
      LEDGER_USAGE,
    );
  }
  const named = values["database-url"] !== undefined || io.env["FAILCLOSED_DATABASE_URL"] !== undefined;
  const location = databaseLocation({
    ...(values["database-url"] === undefined ? {} : { databaseUrl: values["database-url"] }),
    env: io.env,
    ...(values["data-dir"] !== undefined || !named
      ? { dataDir: values["data-dir"] ?? DEFAULT_GATE_DATA_DIR }
      : {}),
  });
  if (
    action === "show" &&
    location.engine === "pglite" &&
    location.dataDir !== undefined &&
    !existsSync(location.dataDir)
  ) {
    io.stderr(`failclosed: no gate ledger here (${where(location)})\n`);
    return EXIT.NEGATIVE;
  }
  const db = await openDatabase(location);
  try {
    if (action === "show") {
      const found = await findLedger(db);
      if (found.state !== "identified") {
        io.stderr(
          `failclosed: ${found.state === "empty" ? "no gate ledger here" : "a gate ledger without an id"} ` +
            `(${where(location)})\n`,
        );
        return EXIT.NEGATIVE;
      }
      io.stdout(`${found.ledgerId} created ${found.createdAt}\n`);
      return EXIT.OK;
    }
    const before = await findLedger(db);
    if (before.state === "identified") {
      throw new FailclosedError(
        "LEDGER_EXISTS",
        `${where(location)} already holds ledger ${before.ledgerId} (created ${before.createdAt})`,
      );
    }
    const made = await identifyLedger(db);
    io.stdout(`${made.ledgerId}\n`);
    io.stderr(
      `failclosed: ${made.origin === "adopted" ? "gave the existing ledger" : "created ledger"} ${made.ledgerId} ` +
        `(${made.createdAt}) in ${where(location)}; start serve and decide with --ledger-id ${made.ledgerId}\n`,
    );
    return EXIT.OK;
  } finally {
    await db.close();
  }
}

/** Says where a ledger is without a connection string (it may hold a password). */
export function where(location: DatabaseLocation): string {
  switch (location.engine) {
    case "pglite":
      return location.dataDir === undefined ? "memory" : location.dataDir;
    case "postgres": {
      const url = new URL(location.url);
      return `PostgreSQL database ${decodeURIComponent(url.pathname.slice(1)) || "(default)"} on ${url.host}`;
    }
  }
}

/**
 * A gate that had to make its ledger says so loudly: from then on, grants consumed in any other
 * ledger are unknown to it, and only --ledger-id keeps a later start from doing the same.
 */
export function announceLedger(
  identity: LedgerIdentity & { readonly origin: LedgerOrigin },
  location: DatabaseLocation,
  io: Io,
): void {
  switch (identity.origin) {
    case "existing":
      return;
    case "created":
    case "adopted":
      io.stderr(
        `failclosed: NOTICE: ${identity.origin === "created" ? "created a NEW, EMPTY gate ledger" : "gave the existing gate ledger the id"} ` +
          `${identity.ledgerId} (${identity.createdAt}) in ${where(location)}. It knows no grant consumed ` +
          `in any other ledger. Start every later serve or decide with --ledger-id ${identity.ledgerId} ` +
          `(or FAILCLOSED_LEDGER_ID) so that they refuse any other ledger.\n`,
      );
  }
}
