import type { CatalogSection } from "./section.js";
import {
  aclText,
  procedureName,
  qualifiedName,
  roleName,
  sortedArray,
  userSchema,
  type DigestContext,
} from "./sql.js";

/**
 * Functions, procedures, aggregates, types and extensions. Functions are printed from their
 * parts (arguments, result, language, attributes, source) rather than pg_get_functiondef, whose
 * layout is free to change between versions while the parts are not. Functions internal to
 * another object (a range type's constructors) are implied by it and left out: PG 15 makes them
 * owned by the bootstrap superuser, PG 16+ by the type's owner.
 */
export function routineSections(ctx: DigestContext): CatalogSection[] {
  return [
    {
      name: "schema:functions",
      sql: `SELECT ${qualifiedName("n.nspname", "p.proname")} || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS signature,
          p.prokind::pg_catalog.text AS kind,
          pg_catalog.pg_get_function_arguments(p.oid) AS arguments,
          coalesce(pg_catalog.pg_get_function_result(p.oid), '') AS result,
          pg_catalog.quote_ident(l.lanname::pg_catalog.text) AS language,
          p.provolatile::pg_catalog.text AS volatility,
          p.proisstrict::pg_catalog.text AS strict,
          p.prosecdef::pg_catalog.text AS security_definer,
          p.proleakproof::pg_catalog.text AS leakproof,
          p.proparallel::pg_catalog.text AS parallel,
          p.procost::pg_catalog.text AS cost,
          p.prorows::pg_catalog.text AS rows,
          ${sortedArray("p.proconfig")} AS config,
          ${procedureName("p.prosupport")} AS support,
          coalesce((SELECT pg_catalog.string_agg(pg_catalog.format_type(tt.oid, NULL), ',' ORDER BY tt.ord)
                    FROM pg_catalog.unnest(p.protrftypes) WITH ORDINALITY AS tt(oid, ord)), '') AS transforms,
          CASE WHEN p.prosqlbody IS NULL THEN p.prosrc ELSE pg_catalog.pg_get_function_sqlbody(p.oid) END AS body,
          coalesce(p.probin, '') AS bin,
          ${roleName(ctx, "p.proowner")} AS owner,
          ${aclText(ctx, "p.proacl", `'f'::pg_catalog."char"`, "p.proowner")} AS acl,
          coalesce((SELECT ROW(ag.aggkind, ag.aggnumdirectargs,
                               ${procedureName("ag.aggtransfn")}, ${procedureName("ag.aggfinalfn")},
                               ${procedureName("ag.aggcombinefn")}, ${procedureName("ag.aggserialfn")},
                               ${procedureName("ag.aggdeserialfn")}, ${procedureName("ag.aggmtransfn")},
                               ${procedureName("ag.aggminvtransfn")}, ${procedureName("ag.aggmfinalfn")},
                               ag.aggfinalextra, ag.aggmfinalextra, ag.aggfinalmodify, ag.aggmfinalmodify,
                               CASE WHEN ag.aggsortop = 0 THEN '' ELSE ag.aggsortop::pg_catalog.regoperator::pg_catalog.text END,
                               pg_catalog.format_type(ag.aggtranstype, NULL), ag.aggtransspace,
                               CASE WHEN ag.aggmtranstype = 0 THEN '' ELSE pg_catalog.format_type(ag.aggmtranstype, NULL) END,
                               ag.aggmtransspace, ag.agginitval, ag.aggminitval)::pg_catalog.text
                    FROM pg_catalog.pg_aggregate AS ag WHERE ag.aggfnoid = p.oid), '') AS aggregate
        FROM pg_catalog.pg_proc AS p
        JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
        JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
        WHERE ${userSchema("n.nspname")}
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS dp
                          WHERE dp.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND dp.objid = p.oid AND dp.deptype = 'i')`,
    },
    {
      name: "schema:types",
      // Types implied by another object are left out: a table's row type (the relation is
      // printed), the array type created with every type, and a range's multirange.
      sql: `SELECT pg_catalog.format_type(t.oid, NULL) AS name,
          t.typtype::pg_catalog.text AS kind,
          t.typisdefined::pg_catalog.text AS defined,
          ${roleName(ctx, "t.typowner")} AS owner,
          ${aclText(ctx, "t.typacl", `'T'::pg_catalog."char"`, "t.typowner")} AS acl,
          CASE t.typtype
            WHEN 'e' THEN (SELECT pg_catalog.array_agg(e.enumlabel ORDER BY e.enumsortorder)::pg_catalog.text
                           FROM pg_catalog.pg_enum AS e WHERE e.enumtypid = t.oid)
            WHEN 'd' THEN ROW(pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull,
                              CASE WHEN t.typdefaultbin IS NULL THEN t.typdefault ELSE pg_catalog.pg_get_expr(t.typdefaultbin, 0) END,
                              CASE WHEN t.typcollation = bt.typcollation THEN '' ELSE t.typcollation::pg_catalog.regcollation::pg_catalog.text END
                             )::pg_catalog.text
            WHEN 'r' THEN (SELECT ROW(pg_catalog.format_type(r.rngsubtype, NULL),
                                      CASE WHEN r.rngcollation = 0 THEN '' ELSE r.rngcollation::pg_catalog.regcollation::pg_catalog.text END,
                                      (SELECT ${qualifiedName("ocn.nspname", "oc.opcname")} FROM pg_catalog.pg_opclass AS oc
                                         JOIN pg_catalog.pg_namespace AS ocn ON ocn.oid = oc.opcnamespace WHERE oc.oid = r.rngsubopc),
                                      ${procedureName("r.rngcanonical")}, ${procedureName("r.rngsubdiff")},
                                      pg_catalog.format_type(r.rngmultitypid, NULL))::pg_catalog.text
                           FROM pg_catalog.pg_range AS r WHERE r.rngtypid = t.oid)
            WHEN 'b' THEN ROW(${procedureName("t.typinput")}, ${procedureName("t.typoutput")},
                              ${procedureName("t.typreceive")}, ${procedureName("t.typsend")},
                              ${procedureName("t.typmodin")}, ${procedureName("t.typmodout")},
                              ${procedureName("t.typanalyze")}, ${procedureName("t.typsubscript")},
                              t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory,
                              t.typispreferred, t.typdelim,
                              CASE WHEN t.typelem = 0 THEN '' ELSE pg_catalog.format_type(t.typelem, NULL) END,
                              t.typdefault)::pg_catalog.text
            ELSE '' END AS detail
        FROM pg_catalog.pg_type AS t
        JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
        LEFT JOIN pg_catalog.pg_type AS bt ON bt.oid = t.typbasetype
        WHERE ${userSchema("n.nspname")}
          AND t.typtype <> 'm'
          AND NOT (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_class AS tc WHERE tc.oid = t.typrelid AND tc.relkind <> 'c'))
          AND NOT (t.typelem <> 0 AND EXISTS (SELECT 1 FROM pg_catalog.pg_type AS et WHERE et.oid = t.typelem AND et.typarray = t.oid))`,
    },
    {
      name: "schema:extensions",
      // The owner is left out: an extension created at initdb (plpgsql) belongs to the bootstrap
      // superuser, which is the database owner on PGlite but not on a real clone, and no ALTER
      // EXTENSION can change an owner afterwards.
      sql: `SELECT pg_catalog.quote_ident(e.extname::pg_catalog.text) AS name,
          e.extversion AS version,
          pg_catalog.quote_ident(n.nspname::pg_catalog.text) AS schema,
          e.extrelocatable::pg_catalog.text AS relocatable,
          coalesce((SELECT pg_catalog.string_agg(x.oid::pg_catalog.regclass::pg_catalog.text, ',' ORDER BY x.ord)
                    FROM pg_catalog.unnest(e.extconfig) WITH ORDINALITY AS x(oid, ord)), '') AS config_tables,
          coalesce(e.extcondition::pg_catalog.text, '') AS config_conditions
        FROM pg_catalog.pg_extension AS e
        JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace`,
    },
  ];
}
