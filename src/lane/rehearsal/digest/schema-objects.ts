import type { CatalogSection } from "./section.js";
import { aclText, procedureName, roleName, sortedArray, userSchema, type DigestContext } from "./sql.js";

/**
 * Everything that has an OID of its own and is not covered by a dedicated section: operators,
 * operator classes and families, casts, conversions, collations, text search objects, extended
 * statistics, rules, event triggers, foreign data wrappers and servers, user mappings,
 * publications, transforms, access methods, languages, default privileges and extension
 * membership. Each is named by pg_identify_object (stable, schema-qualified text) and carries
 * the attributes a migration can change.
 *
 * "Created after initdb" is `oid >= 16384` (FirstNormalObjectId): PostgreSQL never hands out a
 * lower OID to a user object, even after OID wrap-around, so this one test tells user objects
 * from built-in ones on every version, without listing the built-ins (which differ by version).
 */
const FIRST_USER_OID = 16384;

interface Inventory {
  readonly catalog: string;
  readonly alias: string;
  readonly detail: string;
  readonly where?: string;
}

function inventories(ctx: DigestContext): Inventory[] {
  const owner = (expr: string) => roleName(ctx, expr);
  return [
    {
      catalog: "pg_operator",
      alias: "op",
      detail: `ROW(op.oprkind, ${procedureName("op.oprcode")}, pg_catalog.format_type(op.oprresult, NULL),
        CASE WHEN op.oprcom = 0 THEN '' ELSE op.oprcom::pg_catalog.regoperator::pg_catalog.text END,
        CASE WHEN op.oprnegate = 0 THEN '' ELSE op.oprnegate::pg_catalog.regoperator::pg_catalog.text END,
        ${procedureName("op.oprrest")}, ${procedureName("op.oprjoin")}, op.oprcanmerge, op.oprcanhash, ${owner("op.oprowner")})`,
    },
    {
      catalog: "pg_opclass",
      alias: "oc",
      detail: `ROW(oc.opcdefault, CASE WHEN oc.opckeytype = 0 THEN '' ELSE pg_catalog.format_type(oc.opckeytype, NULL) END,
        (pg_catalog.pg_identify_object('pg_catalog.pg_opfamily'::pg_catalog.regclass, oc.opcfamily, 0)).identity, ${owner("oc.opcowner")})`,
    },
    { catalog: "pg_opfamily", alias: "of", detail: `ROW(${owner("of.opfowner")})` },
    { catalog: "pg_amop", alias: "ao", detail: `ROW(ao.amoppurpose)` },
    { catalog: "pg_amproc", alias: "ap", detail: `ROW(${procedureName("ap.amproc")})` },
    {
      catalog: "pg_cast",
      alias: "ca",
      detail: `ROW(${procedureName("ca.castfunc")}, ca.castcontext, ca.castmethod)`,
    },
    {
      catalog: "pg_conversion",
      alias: "cv",
      detail: `ROW(pg_catalog.pg_encoding_to_char(cv.conforencoding), pg_catalog.pg_encoding_to_char(cv.contoencoding),
        ${procedureName("cv.conproc")}, cv.condefault, ${owner("cv.conowner")})`,
    },
    {
      catalog: "pg_collation",
      alias: "co",
      // The ICU locale column was renamed between 15 (colliculocale) and 17 (colllocale);
      // reading both through jsonb keeps one query valid on every version.
      detail: `ROW(co.collprovider, co.collisdeterministic, co.collencoding, co.collcollate, co.collctype,
        coalesce(pg_catalog.to_jsonb(co) ->> 'colllocale', pg_catalog.to_jsonb(co) ->> 'colliculocale'), ${owner("co.collowner")})`,
    },
    {
      catalog: "pg_ts_config",
      alias: "tc",
      detail: `ROW((pg_catalog.pg_identify_object('pg_catalog.pg_ts_parser'::pg_catalog.regclass, tc.cfgparser, 0)).identity,
        (SELECT pg_catalog.string_agg(m.maptokentype::pg_catalog.text || ':' || m.mapseqno::pg_catalog.text || ':'
                  || m.mapdict::pg_catalog.regdictionary::pg_catalog.text, ',' ORDER BY m.maptokentype, m.mapseqno)
           FROM pg_catalog.pg_ts_config_map AS m WHERE m.mapcfg = tc.oid), ${owner("tc.cfgowner")})`,
    },
    {
      catalog: "pg_ts_dict",
      alias: "td",
      detail: `ROW((pg_catalog.pg_identify_object('pg_catalog.pg_ts_template'::pg_catalog.regclass, td.dicttemplate, 0)).identity,
        td.dictinitoption, ${owner("td.dictowner")})`,
    },
    {
      catalog: "pg_ts_parser",
      alias: "tp",
      detail: `ROW(${procedureName("tp.prsstart")}, ${procedureName("tp.prstoken")}, ${procedureName("tp.prsend")},
        ${procedureName("tp.prsheadline")}, ${procedureName("tp.prslextype")})`,
    },
    {
      catalog: "pg_ts_template",
      alias: "tt",
      detail: `ROW(${procedureName("tt.tmplinit")}, ${procedureName("tt.tmpllexize")})`,
    },
    {
      catalog: "pg_statistic_ext",
      alias: "se",
      // stxstattarget: -1 (PG 15) and NULL (PG 17+) both mean "default".
      detail: `ROW(pg_catalog.pg_get_statisticsobjdef(se.oid),
        CASE WHEN coalesce(se.stxstattarget, -1) < 0 THEN '' ELSE se.stxstattarget::pg_catalog.text END, ${owner("se.stxowner")})`,
    },
    {
      catalog: "pg_rewrite",
      alias: "rw",
      // A view's own _RETURN rule is its definition, printed with the view.
      detail: `ROW(pg_catalog.pg_get_ruledef(rw.oid), rw.ev_enabled)`,
      where: `rw.rulename <> '_RETURN'`,
    },
    {
      catalog: "pg_event_trigger",
      alias: "et",
      detail: `ROW(et.evtevent, ${procedureName("et.evtfoid")}, et.evtenabled, ${sortedArray("et.evttags")}, ${owner("et.evtowner")})`,
    },
    {
      catalog: "pg_foreign_data_wrapper",
      alias: "fw",
      detail: `ROW(${procedureName("fw.fdwhandler")}, ${procedureName("fw.fdwvalidator")}, ${sortedArray("fw.fdwoptions")},
        ${owner("fw.fdwowner")}, ${aclText(ctx, "fw.fdwacl", `'F'::pg_catalog."char"`, "fw.fdwowner")})`,
    },
    {
      catalog: "pg_foreign_server",
      alias: "fs",
      detail: `ROW((SELECT w.fdwname FROM pg_catalog.pg_foreign_data_wrapper AS w WHERE w.oid = fs.srvfdw),
        fs.srvtype, fs.srvversion, ${sortedArray("fs.srvoptions")},
        ${owner("fs.srvowner")}, ${aclText(ctx, "fs.srvacl", `'S'::pg_catalog."char"`, "fs.srvowner")})`,
    },
    {
      catalog: "pg_publication",
      alias: "pb",
      detail: `ROW(${owner("pb.pubowner")}, pb.puballtables, pb.pubinsert, pb.pubupdate, pb.pubdelete, pb.pubtruncate, pb.pubviaroot)`,
    },
    {
      catalog: "pg_publication_rel",
      alias: "pr",
      detail: `ROW(pg_catalog.pg_get_expr(pr.prqual, pr.prrelid), pr.prattrs::pg_catalog.text)`,
    },
    { catalog: "pg_publication_namespace", alias: "pn", detail: `ROW('')` },
    {
      catalog: "pg_transform",
      alias: "tf",
      detail: `ROW(${procedureName("tf.trffromsql")}, ${procedureName("tf.trftosql")})`,
    },
    { catalog: "pg_am", alias: "am", detail: `ROW(am.amtype, ${procedureName("am.amhandler")})` },
    {
      catalog: "pg_language",
      alias: "lg",
      detail: `ROW(lg.lanpltrusted, ${procedureName("lg.lanplcallfoid")}, ${procedureName("lg.laninline")},
        ${procedureName("lg.lanvalidator")}, ${owner("lg.lanowner")}, ${aclText(ctx, "lg.lanacl", `'l'::pg_catalog."char"`, "lg.lanowner")})`,
    },
  ];
}

export function objectSections(ctx: DigestContext): CatalogSection[] {
  const branches = inventories(ctx).map(
    (
      inv,
    ) => `SELECT '${inv.catalog}' AS catalog, ${inv.alias}.oid AS id, ${inv.detail}::pg_catalog.text AS detail
      FROM pg_catalog.${inv.catalog} AS ${inv.alias}
      WHERE ${inv.alias}.oid >= ${FIRST_USER_OID}${inv.where === undefined ? "" : ` AND ${inv.where}`}`,
  );
  const schemaOk = `(o.schema IS NULL OR ${userSchema("o.schema")})`;
  return [
    {
      name: "schema:objects",
      // User mappings and default privileges are named here by hand: pg_identify_object would
      // print their role by its real name, bypassing the $owner placeholder.
      sql: `SELECT o.type AS type, o.identity AS identity, x.detail AS detail
        FROM (${branches.join("\n        UNION ALL ")}) AS x,
          LATERAL pg_catalog.pg_identify_object(('pg_catalog.' || x.catalog)::pg_catalog.regclass, x.id, 0) AS o
        WHERE ${schemaOk}
        UNION ALL
        SELECT 'user mapping', ${roleName(ctx, "um.umuser")} || ' on ' || pg_catalog.quote_ident(um.srvname::pg_catalog.text), ''
        FROM pg_catalog.pg_user_mappings AS um
        UNION ALL
        SELECT 'default acl',
          ${roleName(ctx, "da.defaclrole")} || ' in ' ||
            coalesce((SELECT pg_catalog.quote_ident(dn.nspname::pg_catalog.text) FROM pg_catalog.pg_namespace AS dn WHERE dn.oid = da.defaclnamespace), '*')
            || ' on ' || da.defaclobjtype::pg_catalog.text,
          ${aclText(ctx, "da.defaclacl", null, "da.defaclrole")}
        FROM pg_catalog.pg_default_acl AS da
        UNION ALL
        SELECT 'extension member', o.type || ' ' || o.identity,
          (SELECT pg_catalog.quote_ident(e.extname::pg_catalog.text) FROM pg_catalog.pg_extension AS e WHERE e.oid = d.refobjid)
        FROM pg_catalog.pg_depend AS d,
          LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) AS o
        WHERE d.deptype = 'e' AND d.objid >= ${FIRST_USER_OID} AND ${schemaOk}`,
    },
    {
      name: "schema:comments",
      // Comments and security labels on user objects, plus on user schemas (the public schema
      // predates FirstNormalObjectId). Comments on built-in objects need superuser and differ
      // between versions, so they stay out.
      sql: `SELECT 'comment' AS kind, o.type AS type, o.identity AS identity, '' AS provider, d.description AS text
        FROM pg_catalog.pg_description AS d,
          LATERAL pg_catalog.pg_identify_object(d.classoid, d.objoid, d.objsubid) AS o
        WHERE ${schemaOk}
          AND (d.objoid >= ${FIRST_USER_OID}
               OR (d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                   AND EXISTS (SELECT 1 FROM pg_catalog.pg_namespace AS n WHERE n.oid = d.objoid AND ${userSchema("n.nspname")})))
        UNION ALL
        SELECT 'label', o.type, o.identity, s.provider, s.label
        FROM pg_catalog.pg_seclabel AS s,
          LATERAL pg_catalog.pg_identify_object(s.classoid, s.objoid, s.objsubid) AS o
        WHERE s.objoid >= ${FIRST_USER_OID} AND ${schemaOk}`,
    },
  ];
}

/** Large objects live in the database: their owner, grants and a hash of their content. */
export function largeObjectSection(ctx: DigestContext): CatalogSection {
  return {
    name: "large-objects",
    sql: `SELECT lo.oid::pg_catalog.text AS id,
        ${roleName(ctx, "lo.lomowner")} AS owner,
        ${aclText(ctx, "lo.lomacl", `'L'::pg_catalog."char"`, "lo.lomowner")} AS acl,
        pg_catalog.encode(pg_catalog.sha256(pg_catalog.lo_get(lo.oid)), 'hex') AS content_sha256
      FROM pg_catalog.pg_largeobject_metadata AS lo`,
  };
}
