import { membershipDetail } from "./scope.js";
import type { CatalogSection } from "./section.js";
import { aclText, literalContext, roleName, sortedArray, type DigestContext } from "./sql.js";

/**
 * The cluster digest: what lies outside any one database and could still be changed by a
 * migration with enough privilege, printed with real role names (no `$owner`, since there is no
 * single owner at this level). Built-in roles (pg_*) are left out: no user can create a role
 * with that prefix, and their set differs between versions; memberships in them are kept.
 *
 * Left out on purpose: passwords; tablespace locations (paths of the machine, not state);
 * ALTER SYSTEM settings (pg_file_settings needs superuser, ALTER SYSTEM cannot run inside a
 * transaction block, and it takes effect only on reload, which a non-superuser cannot request).
 */
export function clusterSections(): CatalogSection[] {
  // OID 0 never owns a database, so no role is written as $owner here.
  const ctx: DigestContext = literalContext("0", "0");
  const name = (expr: string) => roleName(ctx, expr);
  return [
    {
      name: "cluster:roles",
      sql: `SELECT pg_catalog.quote_ident(ro.rolname::pg_catalog.text) AS name,
          ROW(ro.rolsuper, ro.rolinherit, ro.rolcreaterole, ro.rolcreatedb, ro.rolcanlogin, ro.rolreplication,
              ro.rolbypassrls, ro.rolconnlimit, ro.rolvaliduntil)::pg_catalog.text AS attributes,
          pg_catalog.shobj_description(ro.oid, 'pg_authid') AS comment
        FROM pg_catalog.pg_roles AS ro
        WHERE NOT pg_catalog.starts_with(ro.rolname::pg_catalog.text, 'pg_')`,
    },
    {
      name: "cluster:memberships",
      sql: `SELECT ${name("m.roleid")} || ' > ' || ${name("m.member")} AS edge, ${membershipDetail("m", "mr")} AS detail
        FROM pg_catalog.pg_auth_members AS m
        JOIN pg_catalog.pg_roles AS mr ON mr.oid = m.member
        WHERE NOT pg_catalog.starts_with(mr.rolname::pg_catalog.text, 'pg_')`,
    },
    {
      name: "cluster:role-settings",
      sql: `SELECT CASE WHEN s.setrole = 0 THEN 'ALL' ELSE ${name("s.setrole")} END AS role,
          CASE WHEN s.setdatabase = 0 THEN 'ALL'
               ELSE coalesce((SELECT pg_catalog.quote_ident(d.datname::pg_catalog.text) FROM pg_catalog.pg_database AS d
                              WHERE d.oid = s.setdatabase), '') END AS database,
          ${sortedArray("s.setconfig")} AS settings
        FROM pg_catalog.pg_db_role_setting AS s`,
    },
    {
      name: "cluster:databases",
      sql: `SELECT pg_catalog.quote_ident(d.datname::pg_catalog.text) AS name,
          ${name("d.datdba")} AS owner,
          ROW(pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, d.datlocprovider,
              coalesce(pg_catalog.to_jsonb(d) ->> 'datlocale', pg_catalog.to_jsonb(d) ->> 'daticulocale'),
              d.datconnlimit, d.datallowconn, d.datistemplate,
              (SELECT ts.spcname FROM pg_catalog.pg_tablespace AS ts WHERE ts.oid = d.dattablespace))::pg_catalog.text AS attributes,
          ${aclText(ctx, "d.datacl", `'d'::pg_catalog."char"`, "d.datdba")} AS acl,
          pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
        FROM pg_catalog.pg_database AS d`,
    },
    {
      name: "cluster:tablespaces",
      sql: `SELECT pg_catalog.quote_ident(ts.spcname::pg_catalog.text) AS name,
          ${name("ts.spcowner")} AS owner,
          ${aclText(ctx, "ts.spcacl", `'t'::pg_catalog."char"`, "ts.spcowner")} AS acl,
          ${sortedArray("ts.spcoptions")} AS options,
          pg_catalog.shobj_description(ts.oid, 'pg_tablespace') AS comment
        FROM pg_catalog.pg_tablespace AS ts`,
    },
    {
      name: "cluster:parameters",
      // GRANT SET / ALTER SYSTEM ON PARAMETER (PG 15+); the grantor is always a superuser.
      sql: `SELECT pa.parname::pg_catalog.text AS name, ${aclText(ctx, "pa.paracl", null, "0::pg_catalog.oid")} AS acl
        FROM pg_catalog.pg_parameter_acl AS pa`,
    },
  ];
}
