import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { scanJson } from "../codec/scanner.js";
import { configValidatorFor } from "../codec/schemas.js";
import type { DatabaseLocation } from "../db/open.js";
import { FailclosedError } from "../../kernel/errors.js";

/**
 * A production database the lane must never touch: by name on any server, or by name and port.
 * Host names are deliberately not compared: localhost, 127.0.0.1 and a DNS alias are one server,
 * and refusing a same-named database on the same port elsewhere only ever fails closed.
 */
export interface ProductionIdentity {
  readonly database: string;
  /** Undefined matches the database name on any port. */
  readonly port?: string;
}

export interface LaneConfig {
  readonly clone:
    | (Extract<DatabaseLocation, { engine: "pglite" }> & { readonly dataDir: string })
    | Extract<DatabaseLocation, { engine: "postgres" }>;
  readonly production: readonly ProductionIdentity[];
  readonly keyring: readonly string[];
  readonly rehearsalKid?: string;
  readonly evidenceDir: string;
  readonly statementTimeoutMs: number;
  readonly compareCluster: boolean;
}

interface RawConfig {
  clone: { engine: "pglite"; data_dir: string } | { engine: "postgres"; url: string };
  production: { databases: string[]; urls?: string[] };
  keyring: string[];
  rehearsal_kid?: string;
  evidence_dir: string;
  statement_timeout_ms?: number;
  compare_cluster?: boolean;
}

/** Host, port and database of a postgres URL, for identity checks; never printed. */
export function urlIdentity(url: string): ProductionIdentity {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FailclosedError("CONFIG_INVALID", "a database URL in the lane configuration is not a URL");
  }
  // The identity must be what the driver connects to: no database in the path (the driver would
  // fall back to PGDATABASE) or connection parameters in the query string could make the two differ.
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (database === "" || database.includes("/")) {
    throw new FailclosedError(
      "CONFIG_INVALID",
      "a database URL in the lane configuration must name its database in the path",
    );
  }
  for (const name of ["host", "hostaddr", "port", "dbname", "user", "service"]) {
    if (parsed.searchParams.has(name)) {
      throw new FailclosedError(
        "CONFIG_INVALID",
        `a database URL in the lane configuration must not set ${name} in its query string`,
      );
    }
  }
  return { database, port: parsed.port === "" ? "5432" : parsed.port };
}

export function parseLaneConfig(bytes: Uint8Array, path: string): LaneConfig {
  const scanned = scanJson(bytes);
  if (!scanned.ok) {
    throw new FailclosedError(
      "CONFIG_INVALID",
      `${path}: not strict JSON (${scanned.error.code} at byte ${scanned.error.at ?? 0})`,
    );
  }
  const validate = configValidatorFor("lane-config");
  if (!validate(scanned.value)) {
    const first = validate.errors?.[0];
    throw new FailclosedError(
      "CONFIG_INVALID",
      `${path}: ${first?.instancePath ?? ""} ${first?.message ?? "invalid"}`,
    );
  }
  const raw = scanned.value as unknown as RawConfig;
  const base = dirname(resolve(path));
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const production: ProductionIdentity[] = [
    ...raw.production.databases.map((database) => ({ database })),
    ...(raw.production.urls ?? []).map(urlIdentity),
  ];
  // Refused now, not at the first rehearsal: an ambiguous URL must never start a lane.
  if (raw.clone.engine === "postgres") urlIdentity(raw.clone.url);
  const clone =
    raw.clone.engine === "pglite"
      ? ({ engine: "pglite", dataDir: at(raw.clone.data_dir) } as const)
      : ({ engine: "postgres", url: raw.clone.url } as const);
  return {
    clone,
    production,
    keyring: raw.keyring.map(at),
    ...(raw.rehearsal_kid === undefined ? {} : { rehearsalKid: raw.rehearsal_kid }),
    evidenceDir: at(raw.evidence_dir),
    statementTimeoutMs: raw.statement_timeout_ms ?? 60_000,
    compareCluster: raw.compare_cluster ?? true,
  };
}

export function loadLaneConfig(path: string): LaneConfig {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new FailclosedError("FILE_UNREADABLE", `${path}: cannot read the lane configuration`, { cause });
  }
  return parseLaneConfig(bytes, path);
}

/** C1, before connecting: the configured clone must not be one of the production identities. */
export function configuredCloneIsProduction(config: LaneConfig): boolean {
  if (config.clone.engine !== "postgres") return false;
  const clone = urlIdentity(config.clone.url);
  return config.production.some((p) => identityMatches(p, clone.database, clone.port));
}

export function identityMatches(p: ProductionIdentity, database: string, port?: string): boolean {
  return p.database === database && (p.port === undefined || port === undefined || p.port === port);
}
