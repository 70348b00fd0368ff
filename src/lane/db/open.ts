import { FailclosedError } from "../../kernel/errors.js";
import { openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";
import type { SqlDatabase } from "./session.js";

/** Where state lives (G8): embedded PGlite in memory or in a directory, or a real server. */
export type DatabaseLocation =
  | { readonly engine: "pglite"; readonly dataDir?: string }
  | {
      readonly engine: "postgres";
      readonly url: string;
      /** Connections in the pool (default 10): as many as the decisions meant to be in flight at once. */
      readonly maxConnections?: number;
    };

export function openDatabase(location: DatabaseLocation): Promise<SqlDatabase> {
  switch (location.engine) {
    case "pglite":
      return openPglite(location.dataDir);
    case "postgres":
      return openPostgres(
        location.url,
        location.maxConnections === undefined ? {} : { max: location.maxConnections },
      );
  }
}

/**
 * Chooses the database from a flag, then the environment, then the embedded default. A URL that
 * is not a postgres:// or postgresql:// URL is refused rather than guessed at.
 */
export function databaseLocation(options: {
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly envName?: string;
}): DatabaseLocation {
  const url = options.databaseUrl ?? nonEmpty(options.env?.[options.envName ?? "FAILCLOSED_DATABASE_URL"]);
  if (url !== undefined && options.dataDir !== undefined) {
    throw new FailclosedError("USAGE", "give either a database URL or a PGlite data directory, not both");
  }
  if (url === undefined)
    return options.dataDir === undefined
      ? { engine: "pglite" }
      : { engine: "pglite", dataDir: options.dataDir };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FailclosedError(
      "USAGE",
      "the database URL is not a URL (expected postgres://user@host:port/database)",
    );
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new FailclosedError("USAGE", "the database URL must start with postgres:// or postgresql://");
  }
  return { engine: "postgres", url };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
