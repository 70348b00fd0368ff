/**
 * SQL fragments shared by the digest's sections. Every catalog relation and function is written
 * schema-qualified; operators are not (OPERATOR(pg_catalog.=) everywhere would be unreadable),
 * which is safe because the digest runs with search_path = 'pg_catalog, pg_temp' and PostgreSQL
 * never looks up operators or functions in pg_temp.
 */

/**
 * What the fragments need to know about the database being digested, as SQL expressions of type
 * oid: literals once the digest has read them (literalContext), or scalar subqueries of the one
 * statement that reads them itself (ANCHORED_CONTEXT).
 */
export interface DigestContext {
  /** The role owning the current database, written as `$owner`. */
  readonly owner: string;
  /** The current database. */
  readonly database: string;
}

/** A context from OIDs already read (decimal digits). */
export function literalContext(ownerOid: string, databaseOid: string): DigestContext {
  return { owner: oidLiteral(ownerOid), database: oidLiteral(databaseOid) };
}

/** The common table expression ANCHORED_CONTEXT reads from; it must head the statement. */
export const ANCHOR_CTE = `fc_anchor AS MATERIALIZED (
    SELECT d.oid AS database_oid, d.datdba AS owner_oid
    FROM pg_catalog.pg_database AS d WHERE d.datname = pg_catalog.current_database())`;

/** A context for a statement headed by `WITH ANCHOR_CTE`: each OID is read once, as an InitPlan. */
export const ANCHORED_CONTEXT: DigestContext = {
  owner: "(SELECT fc_anchor.owner_oid FROM fc_anchor)",
  database: "(SELECT fc_anchor.database_oid FROM fc_anchor)",
};

const DIGITS = /^[0-9]+$/;

export function oidLiteral(oid: string): string {
  // Interpolated into SQL: accept nothing but digits.
  if (!DIGITS.test(oid)) throw new Error(`digest: not an OID: ${JSON.stringify(oid)}`);
  return `${oid}::pg_catalog.oid`;
}

/**
 * True for a schema whose objects belong to the digest: everything but the system schemas and
 * the temporary schemas of any session (other sessions' temp tables cannot be read, and this
 * session's are not the clone's state). Users cannot create schemas named pg_*, so the prefix
 * tests cannot hide a user schema.
 */
export function userSchema(nameExpr: string): string {
  return `(${nameExpr} NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND NOT pg_catalog.starts_with(${nameExpr}::pg_catalog.text, 'pg_temp_')
    AND NOT pg_catalog.starts_with(${nameExpr}::pg_catalog.text, 'pg_toast_temp_'))`;
}

/** `schema.name`, each part quoted only when it must be (quote_all_identifiers is forced off). */
export function qualifiedName(schemaExpr: string, nameExpr: string): string {
  return `(pg_catalog.quote_ident(${schemaExpr}::pg_catalog.text) || '.' || pg_catalog.quote_ident(${nameExpr}::pg_catalog.text))`;
}

/**
 * A role as it appears in the canonical text: PUBLIC for OID 0 (ACLs, policies), `$owner` for
 * the role that owns the current database, else its quoted name. The placeholder lets a clone
 * owned by, say, `rehearsal` digest like a PGlite database owned by `postgres`; a real role named
 * `$owner` would print quoted ("$owner"), so the two never collide.
 */
export function roleName(ctx: DigestContext, oidExpr: string): string {
  return `(CASE WHEN ${oidExpr} = 0 THEN 'PUBLIC'
    WHEN ${oidExpr} = ${ctx.owner} THEN '$owner'
    ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(${oidExpr})::pg_catalog.text) END)`;
}

/**
 * An ACL as sorted `grantor>grantee:PRIVILEGE[*]` items. A NULL ACL means "the default for this
 * kind of object" and is expanded with acldefault, so NULL and an explicit default digest alike
 * (a GRANT followed by its REVOKE leaves an explicit default). The owner's own MAINTAIN (added to
 * every table owner's default in PostgreSQL 17) is dropped so PG 15 and PG 18 agree; the owner
 * holds that power on every version, and can always grant it back to itself, so nothing is lost.
 *
 * @param defaultKind acldefault's object kind ('r', 's', 'f', 'T', 'n', 'l', 'L', 'd', 't', 'F', 'S', 'p')
 *   as a SQL expression of type "char", or null for ACLs with no implicit default (columns,
 *   default privileges).
 */
export function aclText(
  ctx: DigestContext,
  aclExpr: string,
  defaultKind: string | null,
  ownerExpr: string,
): string {
  // aclexplode rejects an empty array, which is what REVOKE ALL leaves behind.
  const source =
    defaultKind === null
      ? aclExpr
      : `coalesce(${aclExpr}, pg_catalog.acldefault(${defaultKind}, ${ownerExpr}))`;
  return `(SELECT coalesce(pg_catalog.string_agg(x.item, ' ' ORDER BY x.item COLLATE pg_catalog."C"), '')
    FROM (SELECT ${roleName(ctx, "a.grantor")} || '>' || ${roleName(ctx, "a.grantee")} || ':' || a.privilege_type
                 || CASE WHEN a.is_grantable THEN '*' ELSE '' END AS item
          FROM pg_catalog.aclexplode(CASE WHEN pg_catalog.cardinality(${source}) > 0 THEN ${source} END) AS a
          WHERE NOT (a.privilege_type = 'MAINTAIN' AND a.grantee = ${ownerExpr} AND a.grantor = ${ownerExpr})) AS x)`;
}

/**
 * A text[] of options (reloptions, proconfig, …) sorted, so the order they were set in is
 * irrelevant. With dropInternal, `pg_`-prefixed keys are dropped: no stock PostgreSQL option has
 * that prefix, but some distribution builds (this machine's Debian PG 15) stamp an internal
 * `pg_attver=<n>` into every column's attoptions, which is no state a migration sets.
 */
export function sortedArray(arrayExpr: string, options: { dropInternal?: boolean } = {}): string {
  const filter = options.dropInternal === true ? `WHERE NOT pg_catalog.starts_with(o, 'pg_')` : "";
  return `coalesce((SELECT pg_catalog.array_agg(o ORDER BY o COLLATE pg_catalog."C")::pg_catalog.text
    FROM pg_catalog.unnest(${arrayExpr}) AS o ${filter}), '')`;
}

/** A function or procedure as `schema.name(identity args)`, or '' for OID 0. */
export function procedureName(oidExpr: string): string {
  return `(CASE WHEN (${oidExpr})::pg_catalog.oid = 0 THEN ''
    ELSE (${oidExpr})::pg_catalog.oid::pg_catalog.regprocedure::pg_catalog.text END)`;
}
