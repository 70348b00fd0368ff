/**
 * The shapes of a canonical database digest (SPEC C5) and of its failures. The digest is only
 * ever returned whole: any failure yields a DigestError, never a partial digest.
 */

/** Bumped whenever the canonical text changes, so that digests of different formats never meet. */
export const DIGEST_FORMAT = "failclosed-digest v1";
export const CLUSTER_DIGEST_FORMAT = "failclosed-cluster-digest v1";

/** One scope's digest: the whole text's SHA-256 and each section's, both as 64 lowercase hex. */
export interface ScopeDigest {
  readonly digest: string;
  /** Section name -> SHA-256 of that section's block, keys in byte order of their UTF-8. */
  readonly sections: Readonly<Record<string, string>>;
  /** Section name -> number of lines (for a table: its row count), same keys as sections. */
  readonly counts: Readonly<Record<string, number>>;
}

export interface DatabaseDigest extends ScopeDigest {
  readonly format: typeof DIGEST_FORMAT;
  readonly totals: {
    /** Tables and materialized views whose rows were read. */
    readonly tables: number;
    readonly rows: number;
    readonly sequences: number;
  };
  /**
   * Everything on the server outside this database's scope: all non-built-in roles, all
   * database names, tablespaces, parameter grants. Kept out of `digest` because it is not the
   * clone's state (it differs between PGlite and any real server, and moves whenever anyone
   * else on a shared server creates a role or a database); compare it to catch escapes on a
   * dedicated clone server.
   */
  readonly cluster: ScopeDigest & { readonly format: typeof CLUSTER_DIGEST_FORMAT };
}

export type DigestErrorKind =
  /** Something went wrong (SQL error, lost connection, unsuitable transaction). */
  | "digest_failed"
  /** A section could not be read in full (no privilege, row level security). */
  | "digest_incomplete";

export interface DigestError {
  readonly kind: DigestErrorKind;
  /** The section being read when it failed, e.g. `table:app.orders`, or `transaction`. */
  readonly section: string;
  readonly message: string;
  /** The server's SQLSTATE when the failure came from the server. */
  readonly sqlstate?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** True for a well-formed digest value (64 lowercase hex digits). */
export function isDigestHex(value: unknown): value is string {
  return typeof value === "string" && HEX64.test(value);
}
