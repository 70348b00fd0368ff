/**
 * Shapes of the migration classifier's answer (SPEC C2). Codes are stable: users and scripts may
 * match on them; messages may change. A refusal never carries SQL text, because a migration may
 * hold secrets; it names node types, statement indexes and entries of the classifier's own lists.
 */
export const CLASSIFIER_REFUSAL_CODES = [
  /** More than 1 MiB of UTF-8. */
  "too_large",
  /** A NUL character (the C parser would stop there) or a lone surrogate (no UTF-8 exists). */
  "invalid_text",
  /** Nothing but whitespace, comments or semicolons. */
  "empty",
  /** PostgreSQL 15's parser rejects the text: syntax errors, psql meta-commands (`\dt`). */
  "unparseable",
  /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION, SET TRANSACTION, CALL, … */
  "transaction_control",
  /** Cannot run inside a transaction block, or acts outside it: VACUUM, CONCURRENTLY, NOTIFY, … */
  "non_transactional",
  /** Changes shared by every database of the server: roles, memberships, databases, tablespaces. */
  "cluster_wide",
  /** Reaches outside the database: files, programs, other servers, extensions, large objects. */
  "side_channel",
  /** Session state that changes what later statements or the digest see, or outlives ROLLBACK. */
  "session_state",
  /** Code the SQL parser cannot see into: DO, non-SQL languages, SQL held in strings. */
  "opaque_code",
  /** A statement or object kind outside the allowlist of transactional DDL and DML. */
  "not_allowed",
] as const;

export type ClassifierRefusalCode = (typeof CLASSIFIER_REFUSAL_CODES)[number];

export interface ClassifierRefusal {
  readonly code: ClassifierRefusalCode;
  /** 0-based index of the top-level statement at fault, when one is. */
  readonly statementIndex?: number;
  /** The parse-tree node type at fault (`TransactionStmt`, `FuncCall`, …), when one is. */
  readonly nodeType?: string;
  readonly message: string;
}

export interface ClassifiedMigration {
  readonly statementCount: number;
  /** The node type of each top-level statement, in order (`CreateStmt`, `InsertStmt`, …). */
  readonly statementTypes: readonly string[];
  /** The parser's PG_VERSION_NUM (150001 for libpg-query 15), kept as evidence of what judged. */
  readonly parserVersion: number;
}

/** What a rule reports before the caller knows which top-level statement it sits in. */
export interface Finding {
  readonly code: ClassifierRefusalCode;
  readonly nodeType: string;
  readonly message: string;
}

/** A rule's decision on one node: undefined means allowed. */
export type Decision = { readonly code: ClassifierRefusalCode; readonly why: string } | undefined;

/** Parse-tree JSON object: the parser's output is untyped JSON, so rules read it defensively. */
export type JsonRecord = { readonly [key: string]: unknown };

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
