import { parse } from "libpg-query";

/**
 * One difference between PG 15 and PG 16+ that no SQL can hide: a view's stored query used to
 * carry two dummy range-table entries (OLD and NEW), so pg_get_viewdef on PG 15 qualifies every
 * column of a single-relation view (`SELECT o.id FROM app.orders o`) where PG 16+ prints
 * `SELECT id FROM app.orders o`. Same view, two texts.
 *
 * This rewrites the PG 15 form into the PG 16+ form: when the top-level SELECT reads exactly one
 * FROM item, the qualifier naming that item is removed from the column references of that query
 * level (target list, WHERE, GROUP BY, HAVING, ORDER BY, windows), never from inside a subquery,
 * a CTE or FROM, where both versions qualify alike. Whole-row references (`o.*`) keep theirs, as
 * both versions print them. On PG 16+ output there is nothing to remove, so the rewrite is the
 * identity there. Removing the one known prefix from every such reference is injective, so two
 * different views never collapse into one text. Text the PG 15 parser cannot read (syntax newer
 * than 15) is kept as it is: it cannot come from a PG 15 server anyway.
 */
export async function normaliseViewDefinition(definition: string): Promise<string> {
  let tree: unknown;
  try {
    tree = (await parse(definition)) as unknown;
  } catch {
    return definition;
  }
  const select = topSelect(tree);
  if (select === undefined) return definition;
  const refname = soleFromItemName(select);
  if (refname === undefined) return definition;
  const cuts: number[] = [];
  for (const [key, value] of Object.entries(select)) {
    if (key === "fromClause" || key === "withClause" || key === "intoClause") continue;
    collectQualified(value, refname, cuts);
  }
  return removeQualifiers(definition, refname, cuts);
}

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(node: unknown, ...path: string[]): unknown {
  let current = node;
  for (const key of path) {
    if (!isJson(current)) return undefined;
    current = current[key];
  }
  return current;
}

function topSelect(tree: unknown): Json | undefined {
  const stmts = field(tree, "stmts");
  if (!Array.isArray(stmts) || stmts.length !== 1) return undefined;
  const select = field(stmts[0], "stmt", "SelectStmt");
  if (!isJson(select) || select.op !== "SETOP_NONE") return undefined;
  return select;
}

function stringValue(node: unknown): string | undefined {
  const value = field(node, "String", "sval");
  return typeof value === "string" ? value : undefined;
}

/** The name a lone FROM item is referred to by, or undefined when FROM is not exactly one such item. */
function soleFromItemName(select: Json): string | undefined {
  const from = select.fromClause;
  if (!Array.isArray(from) || from.length !== 1) return undefined;
  const item: unknown = from[0];
  const alias =
    field(item, "RangeVar", "alias", "aliasname") ?? field(item, "RangeSubselect", "alias", "aliasname");
  if (typeof alias === "string") return alias;
  const relname = field(item, "RangeVar", "relname");
  if (typeof relname === "string") return relname;
  const functionAlias = field(item, "RangeFunction", "alias", "aliasname");
  return typeof functionAlias === "string" ? functionAlias : undefined;
}

/** Byte offsets of `refname.column` references at this query level (not inside subqueries). */
function collectQualified(value: unknown, refname: string, cuts: number[]): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...(node as unknown[]));
      continue;
    }
    if (!isJson(node)) continue;
    const ref = node.ColumnRef;
    if (isJson(ref)) {
      const fields = ref.fields;
      if (
        Array.isArray(fields) &&
        fields.length === 2 &&
        stringValue(fields[0]) === refname &&
        stringValue(fields[1]) !== undefined &&
        typeof ref.location === "number"
      ) {
        cuts.push(ref.location);
      }
      continue;
    }
    const sublink = node.SubLink;
    if (isJson(sublink)) {
      // The test expression (`x IN (…)`) belongs to this level; the subquery does not.
      stack.push(sublink.testexpr);
      continue;
    }
    for (const child of Object.values(node)) stack.push(child);
  }
}

/** A lower-case identifier PostgreSQL prints unquoted (keywords aside, which the check below catches). */
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

function removeQualifiers(definition: string, refname: string, cuts: number[]): string {
  if (cuts.length === 0) return definition;
  const bytes = Buffer.from(definition, "utf8");
  const prefixes = [`"${refname.replace(/"/g, '""')}".`];
  if (PLAIN_IDENTIFIER.test(refname)) prefixes.push(`${refname}.`);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const at of [...new Set(cuts)].sort((a, b) => a - b)) {
    const prefix = prefixes
      .map((p) => Buffer.from(p, "utf8"))
      .find((p) => bytes.subarray(at, at + p.length).equals(p));
    // A location that does not hold the qualifier means the tree and the text disagree:
    // keep the text whole rather than guess.
    if (prefix === undefined || at < from) return definition;
    pieces.push(bytes.subarray(from, at));
    from = at + prefix.length;
  }
  pieces.push(bytes.subarray(from));
  return Buffer.concat(pieces).toString("utf8");
}
