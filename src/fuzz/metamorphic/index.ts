export {
  RELATIONS,
  RELATION_IDS,
  keepsSizeClass,
  type Expect,
  type Relation,
  type RelationId,
  type Standing,
  type Variant,
} from "./relations.js";
export { sourceOf, type Source, type GrantSlot } from "./source.js";
export { rotation } from "./choose.js";
export type { Derivation } from "./assemble.js";
