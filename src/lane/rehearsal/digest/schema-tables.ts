import type { CatalogSection } from "./section.js";
import { normaliseViewDefinition } from "./viewdef.js";
import { aclText, qualifiedName, roleName, sortedArray, userSchema, type DigestContext } from "./sql.js";

/**
 * Schemas, relations and what hangs off them. Only facts that a migration sets and that read the
 * same on PostgreSQL 15 and 18 are printed: no OIDs, no physical state (relfilenode, relpages,
 * reltuples, relhasindex and the other flags VACUUM clears lazily), no attnum (a column's logical
 * position is its rank among live columns, so a dump-and-restore clone digests like its source).
 */
export function tableSections(ctx: DigestContext): CatalogSection[] {
  const relName = qualifiedName("n.nspname", "c.relname");
  return [
    {
      name: "schema:namespaces",
      sql: `SELECT pg_catalog.quote_ident(n.nspname::pg_catalog.text) AS name,
          ${roleName(ctx, "n.nspowner")} AS owner,
          ${aclText(ctx, "n.nspacl", `'n'::pg_catalog."char"`, "n.nspowner")} AS acl
        FROM pg_catalog.pg_namespace AS n
        WHERE ${userSchema("n.nspname")}`,
    },
    {
      name: "schema:relations",
      // Views and materialized views carry their definition here; their rows (for the latter)
      // are a table section. relam is printed only for tables and matviews, where it means
      // something on both versions.
      sql: `SELECT ${relName} AS name,
          c.relkind::pg_catalog.text AS kind,
          c.relpersistence::pg_catalog.text AS persistence,
          ${roleName(ctx, "c.relowner")} AS owner,
          ${aclText(
            ctx,
            "c.relacl",
            `(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::pg_catalog."char"`,
            "c.relowner",
          )} AS acl,
          c.relrowsecurity::pg_catalog.text AS rls,
          c.relforcerowsecurity::pg_catalog.text AS force_rls,
          c.relreplident::pg_catalog.text AS replica_identity,
          ${sortedArray("c.reloptions")} AS options,
          c.relispartition::pg_catalog.text AS is_partition,
          coalesce(pg_catalog.pg_get_expr(c.relpartbound, c.oid), '') AS partition_bound,
          CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END AS partition_key,
          coalesce((SELECT pg_catalog.string_agg(${qualifiedName("pn.nspname", "pc.relname")}, ',' ORDER BY i.inhseqno)
                    FROM pg_catalog.pg_inherits AS i
                    JOIN pg_catalog.pg_class AS pc ON pc.oid = i.inhparent
                    JOIN pg_catalog.pg_namespace AS pn ON pn.oid = pc.relnamespace
                    WHERE i.inhrelid = c.oid), '') AS parents,
          CASE WHEN c.reloftype = 0 THEN '' ELSE pg_catalog.format_type(c.reloftype, NULL) END AS of_type,
          CASE WHEN c.relkind IN ('r', 'm')
               THEN coalesce((SELECT am.amname::pg_catalog.text FROM pg_catalog.pg_am AS am WHERE am.oid = c.relam), '')
               ELSE '' END AS access_method,
          coalesce((SELECT ts.spcname::pg_catalog.text FROM pg_catalog.pg_tablespace AS ts WHERE ts.oid = c.reltablespace), '') AS tablespace,
          CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) ELSE '' END AS definition,
          CASE WHEN c.relkind = 'm' THEN c.relispopulated::pg_catalog.text ELSE '' END AS populated,
          coalesce((SELECT pg_catalog.quote_ident(fs.srvname::pg_catalog.text) || ' ' || ${sortedArray("ft.ftoptions")}
                    FROM pg_catalog.pg_foreign_table AS ft
                    JOIN pg_catalog.pg_foreign_server AS fs ON fs.oid = ft.ftserver
                    WHERE ft.ftrelid = c.oid), '') AS foreign_table
        FROM pg_catalog.pg_class AS c
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND ${userSchema("n.nspname")}`,
      normalise: async (row) =>
        typeof row.definition === "string" && row.definition !== ""
          ? { ...row, definition: await normaliseViewDefinition(row.definition) }
          : { ...row },
    },
    {
      name: "schema:columns",
      // attstattarget: -1 (PG 15) and NULL (PG 17+) both mean "default". Storage and collation
      // are printed only where they differ from the type's own, which is what a migration set.
      sql: `SELECT ${relName} AS relation,
          pg_catalog.row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum)::pg_catalog.text AS position,
          pg_catalog.quote_ident(a.attname::pg_catalog.text) AS name,
          pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
          a.attnotnull::pg_catalog.text AS not_null,
          coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') AS default_expr,
          a.attidentity::pg_catalog.text AS identity,
          a.attgenerated::pg_catalog.text AS generated,
          CASE WHEN a.attcollation = t.typcollation THEN ''
               ELSE coalesce((SELECT ${qualifiedName("cn.nspname", "co.collname")}
                              FROM pg_catalog.pg_collation AS co
                              JOIN pg_catalog.pg_namespace AS cn ON cn.oid = co.collnamespace
                              WHERE co.oid = a.attcollation), '') END AS collation,
          CASE WHEN a.attstorage = t.typstorage THEN '' ELSE a.attstorage::pg_catalog.text END AS storage,
          a.attcompression::pg_catalog.text AS compression,
          CASE WHEN coalesce(a.attstattarget, -1) < 0 THEN '' ELSE a.attstattarget::pg_catalog.text END AS statistics,
          ${sortedArray("a.attoptions", { dropInternal: true })} AS options,
          ${sortedArray("a.attfdwoptions")} AS fdw_options,
          ${aclText(ctx, "a.attacl", null, "c.relowner")} AS acl,
          a.attislocal::pg_catalog.text AS is_local,
          a.attinhcount::pg_catalog.text AS inherited
        FROM pg_catalog.pg_attribute AS a
        JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND ${userSchema("n.nspname")}`,
    },
    {
      name: "schema:constraints",
      // PostgreSQL 18 also stores NOT NULL as constraints (contype 'n'); 15 does not. The column
      // and domain not-null flags carry that fact on both, so 'n' rows are left out.
      sql: `SELECT CASE WHEN co.conrelid <> 0 THEN 'table ' || ${qualifiedName("n.nspname", "rc.relname")}
                   ELSE 'domain ' || pg_catalog.format_type(co.contypid, NULL) END AS on_object,
          pg_catalog.quote_ident(co.conname::pg_catalog.text) AS name,
          co.contype::pg_catalog.text AS type,
          pg_catalog.pg_get_constraintdef(co.oid) AS definition,
          co.condeferrable::pg_catalog.text AS deferrable,
          co.condeferred::pg_catalog.text AS deferred,
          co.convalidated::pg_catalog.text AS validated,
          co.conislocal::pg_catalog.text AS is_local,
          co.coninhcount::pg_catalog.text AS inherited,
          co.connoinherit::pg_catalog.text AS no_inherit
        FROM pg_catalog.pg_constraint AS co
        JOIN pg_catalog.pg_namespace AS n ON n.oid = co.connamespace
        LEFT JOIN pg_catalog.pg_class AS rc ON rc.oid = co.conrelid
        WHERE co.contype <> 'n' AND ${userSchema("n.nspname")}`,
    },
    {
      name: "schema:indexes",
      sql: `SELECT ${relName} AS relation,
          pg_catalog.quote_ident(ic.relname::pg_catalog.text) AS name,
          pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
          i.indisclustered::pg_catalog.text AS clustered,
          i.indisvalid::pg_catalog.text AS valid,
          i.indisreplident::pg_catalog.text AS replica_identity,
          coalesce((SELECT ts.spcname::pg_catalog.text FROM pg_catalog.pg_tablespace AS ts WHERE ts.oid = ic.reltablespace), '') AS tablespace,
          coalesce((SELECT pg_catalog.string_agg(ia.attnum::pg_catalog.text || '=' || ia.attstattarget::pg_catalog.text, ',' ORDER BY ia.attnum)
                    FROM pg_catalog.pg_attribute AS ia
                    WHERE ia.attrelid = i.indexrelid AND coalesce(ia.attstattarget, -1) >= 0), '') AS statistics
        FROM pg_catalog.pg_index AS i
        JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
        JOIN pg_catalog.pg_class AS c ON c.oid = i.indrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE ${userSchema("n.nspname")}`,
    },
    {
      name: "schema:triggers",
      // Internal triggers (those behind foreign keys) are named after OIDs and their set differs
      // between versions; the one thing a migration can change about them is whether they fire,
      // so they are printed only when not plainly enabled.
      sql: `SELECT ${relName} AS relation,
          pg_catalog.quote_ident(t.tgname::pg_catalog.text) AS name,
          pg_catalog.pg_get_triggerdef(t.oid) AS definition,
          t.tgenabled::pg_catalog.text AS enabled
        FROM pg_catalog.pg_trigger AS t
        JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND ${userSchema("n.nspname")}
        UNION ALL
        SELECT ${relName}, 'internal',
          coalesce((SELECT pg_catalog.quote_ident(ct.conname::pg_catalog.text) FROM pg_catalog.pg_constraint AS ct WHERE ct.oid = t.tgconstraint), '')
            || ' ' || t.tgfoid::pg_catalog.regprocedure::pg_catalog.text,
          t.tgenabled::pg_catalog.text
        FROM pg_catalog.pg_trigger AS t
        JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE t.tgisinternal AND t.tgenabled <> 'O' AND ${userSchema("n.nspname")}`,
    },
    {
      name: "schema:policies",
      sql: `SELECT ${relName} AS relation,
          pg_catalog.quote_ident(p.polname::pg_catalog.text) AS name,
          p.polcmd::pg_catalog.text AS command,
          p.polpermissive::pg_catalog.text AS permissive,
          (SELECT pg_catalog.string_agg(r.role, ',' ORDER BY r.role COLLATE pg_catalog."C")
             FROM (SELECT ${roleName(ctx, "pr.oid")} AS role FROM pg_catalog.unnest(p.polroles) AS pr(oid)) AS r) AS roles,
          coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '') AS using_expr,
          coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '') AS check_expr
        FROM pg_catalog.pg_policy AS p
        JOIN pg_catalog.pg_class AS c ON c.oid = p.polrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE ${userSchema("n.nspname")}`,
    },
    {
      name: "schema:sequences",
      // The definition; the state (last_value, is_called) is each sequence's own section, so a
      // sequence that did not roll back can be told apart from any other difference (C6).
      sql: `SELECT ${relName} AS name,
          pg_catalog.format_type(s.seqtypid, NULL) AS type,
          s.seqstart::pg_catalog.text AS start,
          s.seqincrement::pg_catalog.text AS increment,
          s.seqmax::pg_catalog.text AS max,
          s.seqmin::pg_catalog.text AS min,
          s.seqcache::pg_catalog.text AS cache,
          s.seqcycle::pg_catalog.text AS cycle,
          coalesce((SELECT pg_catalog.string_agg(d.deptype::pg_catalog.text || ' ' || ${qualifiedName("dn.nspname", "dc.relname")}
                              || '.' || pg_catalog.quote_ident(da.attname::pg_catalog.text), ',')
                    FROM pg_catalog.pg_depend AS d
                    JOIN pg_catalog.pg_class AS dc ON dc.oid = d.refobjid
                    JOIN pg_catalog.pg_namespace AS dn ON dn.oid = dc.relnamespace
                    JOIN pg_catalog.pg_attribute AS da ON da.attrelid = d.refobjid AND da.attnum = d.refobjsubid
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')), '') AS owned_by
        FROM pg_catalog.pg_sequence AS s
        JOIN pg_catalog.pg_class AS c ON c.oid = s.seqrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE ${userSchema("n.nspname")}`,
    },
  ];
}
