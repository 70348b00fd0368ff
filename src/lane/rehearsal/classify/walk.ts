import { lookupFunction } from "./functions.js";
import { statementDecision, type WalkContext } from "./statements.js";
import { isRecord, type Decision, type Finding, type JsonRecord } from "./types.js";

/**
 * A generic walk over one statement's parse tree: every object and array, not just the top level,
 * so a forbidden call in a CTE, DEFAULT, CHECK, trigger WHEN, view, rule action or BEGIN ATOMIC
 * body is found wherever it sits. Iterative, so a deeply nested expression cannot overflow the
 * stack. Nodes are visited in document order, so the first finding is the leftmost one.
 *
 * libpg-query's JSON wraps a generic Node as `{ "TypeName": { …fields } }` (a single key starting
 * with a capital; field names are all lower-case) and writes typed fields unwrapped. Checks that
 * must see unwrapped nodes too (function names, CONCURRENTLY) look at fields, not wrappers.
 */
export type WalkOutcome =
  | { readonly kind: "refused"; readonly finding: Finding }
  | { readonly kind: "clean"; readonly sqlBodies: readonly string[] };

export function nodeTypeOf(value: JsonRecord): string | undefined {
  return wrapperKey(Object.keys(value));
}

function wrapperKey(keys: readonly string[]): string | undefined {
  if (keys.length !== 1) return undefined;
  const only = keys[0] as string;
  const first = only.charCodeAt(0);
  return first >= 65 && first <= 90 ? only : undefined;
}

export function walkStatement(root: unknown): WalkOutcome {
  const ctx: WalkContext = { permittedSets: new WeakSet(), sqlBodies: [] };
  const topType = isRecord(root) ? nodeTypeOf(root) : undefined;
  if (!isRecord(root) || topType === undefined) {
    return refused("not_allowed", "RawStmt", "the parser returned a statement of unexpected shape");
  }
  // Two parallel stacks (value, owning node type) rather than frame objects, and only objects and
  // arrays are pushed: scalars hold no nodes. The walk then costs a fraction of the parse.
  const values: object[] = [root];
  const owners: string[] = [topType];
  let top = true;
  for (let value = values.pop(); value !== undefined; value = values.pop()) {
    const owner = owners.pop() as string;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pushIfContainer(values, owners, value[i], owner);
      continue;
    }
    const record = value as JsonRecord;
    const keys = Object.keys(record);
    const type = wrapperKey(keys);
    if (type !== undefined) {
      const body = record[type];
      if (!isRecord(body))
        return refused("not_allowed", type, "the parser returned a node of unexpected shape");
      const decision = wrappedDecision(type, body, ctx, top);
      top = false;
      if (decision !== undefined) return refused(decision.code, type, decision.why);
      values.push(body);
      owners.push(type);
      continue;
    }
    const decision = fieldDecision(record, owner);
    if (decision !== undefined) return refused(decision.code, owner, decision.why);
    for (let i = keys.length - 1; i >= 0; i--)
      pushIfContainer(values, owners, record[keys[i] as string], owner);
  }
  return { kind: "clean", sqlBodies: ctx.sqlBodies };
}

function pushIfContainer(values: object[], owners: string[], value: unknown, owner: string): void {
  if (typeof value === "object" && value !== null) {
    values.push(value);
    owners.push(owner);
  }
}

// REFRESH MATERIALIZED VIEW CONCURRENTLY could run in a transaction block; it is refused with the
// rest because C2 lists every CONCURRENTLY form and a rehearsal never needs one.
const CONCURRENTLY = "CONCURRENTLY is refused: most forms cannot run in a transaction block";

function refused(code: Finding["code"], nodeType: string, message: string): WalkOutcome {
  return { kind: "refused", finding: { code, nodeType, message } };
}

/** Rules keyed by the wrapper's node type: statements (anywhere) and DefElem options. */
function wrappedDecision(type: string, body: JsonRecord, ctx: WalkContext, top: boolean): Decision {
  if (top || type.endsWith("Stmt")) return statementDecision(type, body, ctx);
  if (type === "DefElem") return defElemDecision(body);
  return undefined;
}

/**
 * Rules on fields, wrapped or not: `concurrent: true` (CREATE/DROP INDEX, REFRESH MATERIALIZED
 * VIEW, DETACH PARTITION … CONCURRENTLY) and every place a function is named.
 */
function fieldDecision(value: JsonRecord, owner: string): Decision {
  if (value["concurrent"] === true) {
    return { code: "non_transactional", why: CONCURRENTLY };
  }
  // funcname: FuncCall (wrapped or CallStmt's), CreateTrigStmt, CreateFunctionStmt (a function
  // named like a forbidden one would shadow it on a search path); objname: ObjectWithArgs, as in
  // CREATE CAST … WITH FUNCTION, GRANT EXECUTE, DROP FUNCTION, operator class items.
  if (value["funcname"] !== undefined) {
    const decision = functionDecision(lastName(value["funcname"]));
    if (decision !== undefined) return decision;
  }
  if (value["objname"] !== undefined) {
    const decision = functionDecision(lastName(value["objname"]));
    if (decision !== undefined) return decision;
  }
  // Attribute notation calls functions too: ('PG_VERSION'::text).pg_read_file runs
  // pg_read_file('PG_VERSION'). So every name after a column reference's first, and every
  // field of an indirection, is checked like a function name.
  if (owner === "ColumnRef") {
    for (const name of names(value["fields"]).slice(1)) {
      const decision = functionDecision(name);
      if (decision !== undefined) return decision;
    }
  }
  if (owner === "A_Indirection") {
    for (const name of names(value["indirection"])) {
      const decision = functionDecision(name);
      if (decision !== undefined) return decision;
    }
  }
  return undefined;
}

/**
 * DefElem options: `(CONCURRENTLY)` in REINDEX's option list, and options whose value names a
 * function: CREATE OPERATOR (function = …), CREATE AGGREGATE (sfunc = …), CREATE TYPE
 * (input = …), range subtype_diff, SUPPORT. A function body (`as`) is not a name.
 */
function defElemDecision(body: JsonRecord): Decision {
  if (body["defname"] === "concurrently") {
    return { code: "non_transactional", why: CONCURRENTLY };
  }
  if (body["defname"] === "as") return undefined;
  const arg = body["arg"];
  if (!isRecord(arg)) return undefined;
  const typeName = arg["TypeName"];
  if (isRecord(typeName)) return functionDecision(lastName(typeName["names"]));
  const list = arg["List"];
  if (isRecord(list)) return functionDecision(lastName(list["items"]));
  return functionDecision(stringValue(arg));
}

function functionDecision(name: string | undefined): Decision {
  if (name === undefined) return undefined;
  const forbidden = lookupFunction(name);
  if (forbidden === undefined) return undefined;
  return { code: forbidden.code, why: `names ${forbidden.label}, which ${forbidden.why}` };
}

/** The sval of a `{ String: { sval } }` node. */
function stringValue(node: unknown): string | undefined {
  const str = isRecord(node) ? node["String"] : undefined;
  const sval = isRecord(str) ? str["sval"] : undefined;
  return typeof sval === "string" ? sval : undefined;
}

/** The String items of a name list, skipping others (A_Star). */
function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const found: string[] = [];
  for (const item of list) {
    const name = stringValue(item);
    if (name !== undefined) found.push(name);
  }
  return found;
}

/** The unqualified name of a possibly schema-qualified name list. */
function lastName(list: unknown): string | undefined {
  return names(list).at(-1);
}
