import type { Node } from "libpg-query";
import { objectKindDecision } from "./objects.js";
import { plpgsqlHazard } from "./plpgsql.js";
import { isRecord, type ClassifierRefusalCode, type Decision, type JsonRecord } from "./types.js";

/** Every node type the parser can emit, taken from its own type definitions. */
type KeysOfUnion<T> = T extends unknown ? keyof T : never;
type NodeType = KeysOfUnion<Node>;

/** State one statement's walk shares with its rules. */
export interface WalkContext {
  /** VariableSetStmt bodies that are a function's own `SET` clause, scoped to its calls. */
  readonly permittedSets: WeakSet<object>;
  /** Bodies of LANGUAGE sql functions given as strings: parsed and classified after the walk. */
  readonly sqlBodies: string[];
}

type Rule = (body: JsonRecord, ctx: WalkContext) => Decision;

const allow: Rule = () => undefined;
const refuse =
  (code: ClassifierRefusalCode, why: string): Rule =>
  () => ({ code, why });

const byObjectKind =
  (field: string): Rule =>
  (body) =>
    objectKindDecision(body[field]);

/**
 * The allowlist, applied to every statement node wherever it sits (top level, CTE, rule action,
 * CREATE SCHEMA element, BEGIN ATOMIC body). A statement type missing here is refused as
 * not_allowed, so whatever this list forgets fails closed; the known-dangerous types carry their
 * specific codes. CONCURRENTLY and forbidden functions are caught by the walker on any node.
 */
const RULES: Partial<Record<NodeType, Rule>> = {
  // Transactional DML and queries.
  SelectStmt: allow,
  InsertStmt: allow,
  UpdateStmt: allow,
  DeleteStmt: allow,
  MergeStmt: allow,
  ReturnStmt: allow,
  // Transactional DDL on per-database objects.
  CreateStmt: allow,
  CreateSeqStmt: allow,
  AlterSeqStmt: allow,
  ViewStmt: allow,
  IndexStmt: allow,
  RefreshMatViewStmt: allow,
  CreateTrigStmt: allow,
  RuleStmt: allow,
  CreatePolicyStmt: allow,
  AlterPolicyStmt: allow,
  CreateEnumStmt: allow,
  AlterEnumStmt: allow,
  CompositeTypeStmt: allow,
  CreateDomainStmt: allow,
  AlterDomainStmt: allow,
  CreateRangeStmt: allow,
  AlterTypeStmt: allow,
  CreateCastStmt: allow,
  CreateStatsStmt: allow,
  AlterStatsStmt: allow,
  AlterTSConfigurationStmt: allow,
  AlterTSDictionaryStmt: allow,
  TruncateStmt: allow,
  CreateSchemaStmt: allow,
  LockStmt: allow,
  ConstraintsSetStmt: allow,
  ReplicaIdentityStmt: allow,
  AlterDefaultPrivilegesStmt: allow,
  AlterTableStmt: byObjectKind("objtype"),
  CreateTableAsStmt: byObjectKind("objtype"),
  DefineStmt: byObjectKind("kind"),
  DropStmt: byObjectKind("removeType"),
  RenameStmt: byObjectKind("renameType"),
  CommentStmt: byObjectKind("objtype"),
  AlterOwnerStmt: byObjectKind("objectType"),
  AlterObjectSchemaStmt: byObjectKind("objectType"),
  GrantStmt: byObjectKind("objtype"),
  CreateFunctionStmt: createFunction,
  AlterFunctionStmt: alterFunction,
  VariableSetStmt: variableSet,
  // Decision: ANALYZE is allowed. Its statistics roll back with the transaction; its only
  // in-place write is pg_class's planner estimates, which CREATE INDEX also makes and the
  // digest does not cover. VACUUM cannot run in a transaction block at all.
  VacuumStmt: (body) =>
    body["is_vacuumcmd"] === true
      ? { code: "non_transactional", why: "VACUUM cannot run in a transaction" }
      : undefined,
  ClusterStmt: (body) =>
    body["relation"] === undefined
      ? { code: "non_transactional", why: "CLUSTER without a table cannot run in a transaction" }
      : undefined,
  ReindexStmt: (body) =>
    body["kind"] === "REINDEX_OBJECT_INDEX" || body["kind"] === "REINDEX_OBJECT_TABLE"
      ? undefined
      : { code: "non_transactional", why: "REINDEX SCHEMA, SYSTEM or DATABASE cannot run in a transaction" },

  TransactionStmt: refuse(
    "transaction_control",
    "transaction control would end or split the rehearsal's transaction",
  ),
  CallStmt: refuse("transaction_control", "a called procedure may COMMIT or ROLLBACK"),

  CreatedbStmt: refuse("non_transactional", "CREATE DATABASE cannot run in a transaction"),
  DropdbStmt: refuse("non_transactional", "DROP DATABASE cannot run in a transaction"),
  AlterDatabaseStmt: refuse("non_transactional", "ALTER DATABASE changes a shared catalog"),
  AlterDatabaseRefreshCollStmt: refuse("non_transactional", "ALTER DATABASE changes a shared catalog"),
  AlterSystemStmt: refuse("non_transactional", "ALTER SYSTEM writes the server's configuration file"),
  CreateTableSpaceStmt: refuse("non_transactional", "CREATE TABLESPACE cannot run in a transaction"),
  DropTableSpaceStmt: refuse("non_transactional", "DROP TABLESPACE cannot run in a transaction"),
  AlterTableSpaceOptionsStmt: refuse("non_transactional", "ALTER TABLESPACE changes a shared catalog"),
  AlterTableMoveAllStmt: refuse(
    "non_transactional",
    "ALTER … ALL IN TABLESPACE moves files across tablespaces",
  ),
  CheckPointStmt: refuse("non_transactional", "CHECKPOINT acts on the whole server"),
  LoadStmt: refuse("non_transactional", "LOAD loads a shared library into the session"),
  DiscardStmt: refuse("non_transactional", "DISCARD resets session state outside the transaction"),
  ListenStmt: refuse("non_transactional", "LISTEN registers the session for notifications"),
  UnlistenStmt: refuse("non_transactional", "UNLISTEN changes the session's notifications"),
  NotifyStmt: refuse("non_transactional", "NOTIFY delivers to other sessions when the transaction commits"),

  CreateRoleStmt: refuse("cluster_wide", "roles are shared by every database"),
  AlterRoleStmt: refuse("cluster_wide", "roles are shared by every database"),
  DropRoleStmt: refuse("cluster_wide", "roles are shared by every database"),
  AlterRoleSetStmt: refuse("cluster_wide", "ALTER ROLE … SET changes settings of a shared role"),
  GrantRoleStmt: refuse("cluster_wide", "role membership is shared by every database"),
  ReassignOwnedStmt: refuse("cluster_wide", "REASSIGN OWNED also reaches shared objects"),
  DropOwnedStmt: refuse("cluster_wide", "DROP OWNED also revokes privileges on shared objects"),
  SecLabelStmt: refuse("cluster_wide", "security labels belong to the server's label provider"),
  AlterDatabaseSetStmt: refuse("cluster_wide", "ALTER DATABASE … SET changes a shared catalog"),

  CopyStmt: refuse(
    "side_channel",
    "COPY moves data through files, programs or a client stream the lane does not have",
  ),
  CreateExtensionStmt: refuse("side_channel", "extensions install server-side code"),
  AlterExtensionStmt: refuse("side_channel", "extensions install server-side code"),
  AlterExtensionContentsStmt: refuse("side_channel", "extensions install server-side code"),
  CreateFdwStmt: refuse("side_channel", "foreign data wrappers reach other servers"),
  AlterFdwStmt: refuse("side_channel", "foreign data wrappers reach other servers"),
  CreateForeignServerStmt: refuse("side_channel", "foreign servers are other servers"),
  AlterForeignServerStmt: refuse("side_channel", "foreign servers are other servers"),
  CreateUserMappingStmt: refuse("side_channel", "user mappings hold credentials for other servers"),
  AlterUserMappingStmt: refuse("side_channel", "user mappings hold credentials for other servers"),
  DropUserMappingStmt: refuse("side_channel", "user mappings hold credentials for other servers"),
  CreateForeignTableStmt: refuse("side_channel", "foreign tables live on other servers"),
  ImportForeignSchemaStmt: refuse("side_channel", "IMPORT FOREIGN SCHEMA reads another server"),
  CreatePublicationStmt: refuse("side_channel", "publications stream changes out of the database"),
  AlterPublicationStmt: refuse("side_channel", "publications stream changes out of the database"),
  CreateSubscriptionStmt: refuse("side_channel", "subscriptions connect to another server"),
  AlterSubscriptionStmt: refuse("side_channel", "subscriptions connect to another server"),
  DropSubscriptionStmt: refuse("side_channel", "subscriptions connect to another server"),

  PrepareStmt: refuse("session_state", "prepared statements outlive ROLLBACK"),
  ExecuteStmt: refuse("session_state", "EXECUTE runs a prepared statement the classifier cannot see"),
  DeallocateStmt: refuse("session_state", "prepared statements outlive ROLLBACK"),

  DoStmt: refuse("opaque_code", "a DO block's body is code the SQL parser cannot see into"),
};

/** Applies the allowlist to one statement node. */
export function statementDecision(nodeType: string, body: JsonRecord, ctx: WalkContext): Decision {
  const rule = Object.hasOwn(RULES, nodeType) ? RULES[nodeType as NodeType] : undefined;
  if (rule === undefined)
    return { code: "not_allowed", why: "this statement type is not on the migration allowlist" };
  return rule(body, ctx);
}

function variableSet(body: JsonRecord, ctx: WalkContext): Decision {
  if (ctx.permittedSets.has(body)) return undefined;
  const name = typeof body["name"] === "string" ? body["name"] : "";
  if (
    body["kind"] === "VAR_SET_MULTI" &&
    (name.startsWith("TRANSACTION") || name === "SESSION CHARACTERISTICS")
  ) {
    return {
      code: "transaction_control",
      why: "SET TRANSACTION and SET SESSION CHARACTERISTICS change transaction modes",
    };
  }
  if (name === "role" || name === "session_authorization") {
    return {
      code: "session_state",
      why: "SET ROLE and SET SESSION AUTHORIZATION change who runs what follows",
    };
  }
  return {
    code: "session_state",
    why: "SET and RESET change session settings that later statements and the digest depend on",
  };
}

/** Items of the DefElems named `defname` in a statement's option list. */
function defElems(list: unknown, defname: string): JsonRecord[] {
  if (!Array.isArray(list)) return [];
  const found: JsonRecord[] = [];
  for (const item of list) {
    const def = isRecord(item) ? item["DefElem"] : undefined;
    if (isRecord(def) && def["defname"] === defname) found.push(def);
  }
  return found;
}

/** A function's own `SET name = value` clause applies only while it runs: not session state. */
function permitFunctionSets(options: unknown, ctx: WalkContext): void {
  for (const def of defElems(options, "set")) {
    const arg = def["arg"];
    const set = isRecord(arg) ? arg["VariableSetStmt"] : undefined;
    if (isRecord(set)) ctx.permittedSets.add(set);
  }
}

function alterFunction(body: JsonRecord, ctx: WalkContext): Decision {
  permitFunctionSets(body["actions"], ctx);
  return undefined;
}

/** The strings of a DefElem argument that is a List of String nodes, or undefined. */
function stringList(arg: unknown): string[] | undefined {
  const list = isRecord(arg) ? arg["List"] : undefined;
  const items = isRecord(list) ? list["items"] : undefined;
  if (!Array.isArray(items)) return undefined;
  const strings: string[] = [];
  for (const item of items) {
    const str = isRecord(item) ? item["String"] : undefined;
    const sval = isRecord(str) ? str["sval"] : undefined;
    if (typeof sval !== "string") return undefined;
    strings.push(sval);
  }
  return strings;
}

/**
 * Decision on function languages: only sql and plpgsql. SQL bodies are parsed with the same parser
 * and classified with the same rules (BEGIN ATOMIC bodies are already in the tree; string bodies
 * are queued for the caller). plpgsql bodies get the conservative word check of
 * plpgsql.ts. Any other language (c, internal, plpython3u, …) is opaque and refused: an
 * `internal` function can even alias pg_read_file under an innocent name.
 */
function createFunction(body: JsonRecord, ctx: WalkContext): Decision {
  permitFunctionSets(body["options"], ctx);
  const languages = defElems(body["options"], "language");
  const asClauses = defElems(body["options"], "as");
  if (languages.length > 1 || asClauses.length > 1) {
    return { code: "opaque_code", why: "a function with more than one LANGUAGE or AS clause" };
  }
  const languageArg = languages[0]?.["arg"];
  const languageNode = isRecord(languageArg) ? languageArg["String"] : undefined;
  const language = isRecord(languageNode) ? languageNode["sval"] : undefined;
  if (languages.length === 1 && typeof language !== "string") {
    return { code: "opaque_code", why: "a function whose LANGUAGE the classifier cannot read" };
  }
  if (body["sql_body"] !== undefined) {
    if (asClauses.length > 0) return { code: "opaque_code", why: "a function with both AS and a SQL body" };
    return language === undefined || language === "sql"
      ? undefined
      : { code: "opaque_code", why: "a SQL-standard body in a language other than sql" };
  }
  const text = asClauses.length === 1 ? stringList(asClauses[0]?.["arg"]) : undefined;
  if (text === undefined || text.length !== 1 || text[0] === undefined) {
    return { code: "opaque_code", why: "a function body the classifier cannot read" };
  }
  if (language === "sql") {
    ctx.sqlBodies.push(text[0]);
    return undefined;
  }
  if (language === "plpgsql") {
    const hazard = plpgsqlHazard(text[0]);
    if (hazard === undefined) return undefined;
    return {
      code: "opaque_code",
      why: `a LANGUAGE plpgsql body mentions \`${hazard}\`; plpgsql is opaque to the SQL parser, so bodies that mention transaction control, dynamic SQL, DDL or forbidden functions are refused`,
    };
  }
  return {
    code: "opaque_code",
    why: "a function in a language other than sql or plpgsql is code the classifier cannot see into",
  };
}
