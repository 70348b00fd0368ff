import type { CatalogSection } from "./section.js";
import { aclText, roleName, sortedArray, userSchema, type DigestContext } from "./sql.js";

/**
 * The cluster-wide objects that belong to this database's state: the database's own attributes
 * and the roles the database refers to.
 *
 * The database's name, encoding and locale are left out: they are fixed when the database is
 * created (no migration can change them; the current database cannot even be renamed) and they
 * legitimately differ between a PGlite instance and a clone.
 *
 * Roles in scope are those this database refers to: every role recorded in pg_shdepend for an
 * object of this database (owners, grantees and grantors, policy roles; temporary objects of
 * other sessions excluded), the database owner, the current user, roles with settings in this
 * database, members of built-in roles (pg_read_all_data and the like reach into every
 * database), and, transitively, every member of those (a member can use their privileges). The
 * bootstrap superuser is "pinned" and never recorded in pg_shdepend, so it enters only as owner
 * or current user. The database owner's attributes (SUPERUSER, LOGIN, …) are left out: on PGlite
 * the owner is the bootstrap superuser, on a clone an ordinary role, and the lane checks its own
 * role separately (C1). Passwords are never read. Roles nothing here refers to are in the
 * cluster digest, not this one.
 */
export function scopeSections(ctx: DigestContext): CatalogSection[] {
  const db = ctx.database;
  const owner = ctx.owner;
  const scope = `WITH RECURSIVE base(r) AS (
      SELECT sd.refobjid
      FROM pg_catalog.pg_shdepend AS sd,
        LATERAL pg_catalog.pg_identify_object(sd.classid, sd.objid, sd.objsubid) AS o
      WHERE sd.dbid = ${db} AND sd.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass
        AND (o.schema IS NULL OR ${userSchema("o.schema")})
      UNION SELECT ${owner}
      UNION SELECT ro.oid FROM pg_catalog.pg_roles AS ro WHERE ro.rolname = CURRENT_USER
      UNION SELECT s.setrole FROM pg_catalog.pg_db_role_setting AS s WHERE s.setdatabase = ${db} AND s.setrole <> 0
      UNION SELECT m.member FROM pg_catalog.pg_auth_members AS m
        JOIN pg_catalog.pg_roles AS g ON g.oid = m.roleid
        JOIN pg_catalog.pg_roles AS mr ON mr.oid = m.member
        WHERE pg_catalog.starts_with(g.rolname::pg_catalog.text, 'pg_') AND NOT pg_catalog.starts_with(mr.rolname::pg_catalog.text, 'pg_')
    ), scope(r) AS (
      SELECT base.r FROM base
      UNION
      SELECT m.member FROM pg_catalog.pg_auth_members AS m JOIN scope ON m.roleid = scope.r
    )`;
  return [
    {
      name: "database",
      sql: `SELECT 'database' AS kind, ${roleName(ctx, "d.datdba")} AS name,
          ROW(${aclText(ctx, "d.datacl", `'d'::pg_catalog."char"`, "d.datdba")}, d.datconnlimit, d.datallowconn, d.datistemplate,
              (SELECT ts.spcname FROM pg_catalog.pg_tablespace AS ts WHERE ts.oid = d.dattablespace))::pg_catalog.text AS detail,
          pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
        FROM pg_catalog.pg_database AS d WHERE d.oid = ${db}
        UNION ALL
        SELECT 'setting', CASE WHEN s.setrole = 0 THEN 'ALL' ELSE ${roleName(ctx, "s.setrole")} END, ${sortedArray("s.setconfig")}, NULL
        FROM pg_catalog.pg_db_role_setting AS s WHERE s.setdatabase = ${db}`,
    },
    {
      name: "roles",
      sql: `${scope}
        SELECT 'role' AS kind, ${roleName(ctx, "ro.oid")} AS name,
          CASE WHEN ro.oid = ${owner} THEN ''
               ELSE ROW(ro.rolsuper, ro.rolinherit, ro.rolcreaterole, ro.rolcreatedb, ro.rolcanlogin, ro.rolreplication,
                        ro.rolbypassrls, ro.rolconnlimit, ro.rolvaliduntil)::pg_catalog.text END AS detail,
          pg_catalog.shobj_description(ro.oid, 'pg_authid') AS comment
        FROM pg_catalog.pg_roles AS ro
        WHERE ro.oid IN (SELECT scope.r FROM scope) AND NOT pg_catalog.starts_with(ro.rolname::pg_catalog.text, 'pg_')
        UNION ALL
        SELECT 'member', ${roleName(ctx, "m.roleid")} || ' > ' || ${roleName(ctx, "m.member")}, ${membershipDetail("m", "mr")}, NULL
        FROM pg_catalog.pg_auth_members AS m
        JOIN pg_catalog.pg_roles AS mr ON mr.oid = m.member
        WHERE m.member IN (SELECT scope.r FROM scope) AND NOT pg_catalog.starts_with(mr.rolname::pg_catalog.text, 'pg_')
        UNION ALL
        SELECT 'setting', ${roleName(ctx, "s.setrole")}, ${sortedArray("s.setconfig")}, NULL
        FROM pg_catalog.pg_db_role_setting AS s
        WHERE s.setdatabase = 0 AND s.setrole IN (SELECT scope.r FROM scope)`,
    },
  ];
}

/**
 * A membership's options. The grantor is left out (PG 16+ records the bootstrap superuser for any
 * superuser's grant, PG 15 the granting role). PG 16 added per-grant INHERIT and SET; they are
 * printed only where they differ from what PG 15 would do (inherit as the member's rolinherit,
 * SET allowed), read through jsonb so the same query runs on both.
 */
export function membershipDetail(m: string, member: string): string {
  const inherit = `(pg_catalog.to_jsonb(${m}) ->> 'inherit_option')`;
  const set = `(pg_catalog.to_jsonb(${m}) ->> 'set_option')`;
  return `ROW(${m}.admin_option,
      CASE WHEN ${inherit} IS NULL OR ${inherit}::pg_catalog.bool = ${member}.rolinherit THEN '' ELSE 'inherit=' || ${inherit} END,
      CASE WHEN coalesce(${set}::pg_catalog.bool, true) THEN '' ELSE 'noset' END)::pg_catalog.text`;
}
