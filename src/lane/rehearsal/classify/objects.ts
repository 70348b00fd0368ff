import type { ObjectType } from "libpg-query";
import type { ClassifierRefusalCode, Decision } from "./types.js";

/**
 * What a statement may do to each kind of object (DROP, COMMENT ON, GRANT ON, ALTER … RENAME,
 * OWNER TO, SET SCHEMA, CREATE TABLE AS, DefineStmt). The Record is exhaustive over the parser's
 * own ObjectType, so a parser upgrade that adds a kind fails to compile until someone decides.
 */
const OBJECT_VERDICTS: Readonly<Record<ObjectType, "allowed" | ClassifierRefusalCode>> = {
  // Shared catalogs: visible to, and changing, every database of the server.
  OBJECT_DATABASE: "cluster_wide",
  OBJECT_ROLE: "cluster_wide",
  OBJECT_TABLESPACE: "cluster_wide",
  OBJECT_PARAMETER_ACL: "cluster_wide",
  // Doors out of the database.
  OBJECT_EXTENSION: "side_channel",
  OBJECT_FDW: "side_channel",
  OBJECT_FOREIGN_SERVER: "side_channel",
  OBJECT_FOREIGN_TABLE: "side_channel",
  OBJECT_USER_MAPPING: "side_channel",
  OBJECT_LARGEOBJECT: "side_channel",
  OBJECT_PUBLICATION: "side_channel",
  OBJECT_PUBLICATION_NAMESPACE: "side_channel",
  OBJECT_PUBLICATION_REL: "side_channel",
  OBJECT_SUBSCRIPTION: "side_channel",
  // Superuser-only or C-level machinery no migration of application schema needs.
  OBJECT_ACCESS_METHOD: "not_allowed",
  OBJECT_AMOP: "not_allowed",
  OBJECT_AMPROC: "not_allowed",
  OBJECT_CONVERSION: "not_allowed",
  OBJECT_DEFACL: "not_allowed",
  OBJECT_DEFAULT: "not_allowed",
  OBJECT_EVENT_TRIGGER: "not_allowed",
  OBJECT_LANGUAGE: "not_allowed",
  OBJECT_OPCLASS: "not_allowed",
  OBJECT_OPFAMILY: "not_allowed",
  OBJECT_TRANSFORM: "not_allowed",
  OBJECT_TSPARSER: "not_allowed",
  OBJECT_TSTEMPLATE: "not_allowed",
  // Ordinary, transactional, per-database objects.
  OBJECT_AGGREGATE: "allowed",
  OBJECT_ATTRIBUTE: "allowed",
  OBJECT_CAST: "allowed",
  OBJECT_COLLATION: "allowed",
  OBJECT_COLUMN: "allowed",
  OBJECT_DOMAIN: "allowed",
  OBJECT_DOMCONSTRAINT: "allowed",
  OBJECT_FUNCTION: "allowed",
  OBJECT_INDEX: "allowed",
  OBJECT_MATVIEW: "allowed",
  OBJECT_OPERATOR: "allowed",
  OBJECT_POLICY: "allowed",
  OBJECT_PROCEDURE: "allowed",
  OBJECT_ROUTINE: "allowed",
  OBJECT_RULE: "allowed",
  OBJECT_SCHEMA: "allowed",
  OBJECT_SEQUENCE: "allowed",
  OBJECT_STATISTIC_EXT: "allowed",
  OBJECT_TABCONSTRAINT: "allowed",
  OBJECT_TABLE: "allowed",
  OBJECT_TRIGGER: "allowed",
  OBJECT_TSCONFIGURATION: "allowed",
  OBJECT_TSDICTIONARY: "allowed",
  OBJECT_TYPE: "allowed",
  OBJECT_VIEW: "allowed",
};

/** Judges an object-kind field of a statement; a missing or unknown kind is refused. */
export function objectKindDecision(kind: unknown): Decision {
  const verdict =
    typeof kind === "string" && Object.hasOwn(OBJECT_VERDICTS, kind)
      ? OBJECT_VERDICTS[kind as ObjectType]
      : "not_allowed";
  if (verdict === "allowed") return undefined;
  const label =
    typeof kind === "string" && Object.hasOwn(OBJECT_VERDICTS, kind) ? kind : "an unknown object kind";
  return { code: verdict, why: `acts on ${label}, which a migration may not touch` };
}
