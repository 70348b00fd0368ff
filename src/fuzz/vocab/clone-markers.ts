/**
 * P07's vocabulary (C1): clones that lack or forge their marker, or that the lane is configured to
 * call production. A good marker names the clone's database: the reference lane's clone is
 * embedded PostgreSQL, whose one database is named "postgres"; an external lane's clone hook says
 * which database its clone is (ctx.cloneDatabase). The target builds the clone (or has the hook
 * provision it), since a lane takes its clone from its configuration and never from a request.
 */
import fc from "fast-check";
import { formatTimestamp, type CloneMarker, type KeyEntry } from "../../lane/index.js";
import { labelOf } from "../craft/authorized.js";
import { rehearsalRequest } from "../craft/documents.js";
import { entropy } from "../craft/entropy.js";
import { renderMutated } from "../craft/json-render.js";
import { lookalikes } from "../craft/malformations.js";
import { headerOf, keyOf, rawJws, sealAs } from "../craft/seal.js";
import type { CloneSetup, FamilyContext } from "../types.js";
import { breaksText, type Explained } from "./flaw.js";
import { strangerOf } from "./strangers.js";

/** The reference lane's PGlite clone: its one database. */
const REFERENCE_CLONE_DATABASE = "postgres";

function cloneDatabaseOf(ctx: FamilyContext): string {
  return ctx.cloneDatabase ?? REFERENCE_CLONE_DATABASE;
}

/** Another database than the clone's: the drawn name, unless it happens to be the clone's own. */
function otherDatabase(drawn: string, clone: string): string {
  return drawn === clone ? `${clone}_other` : drawn;
}

export type MarkerFlaw =
  | { readonly kind: "no-marker" }
  | { readonly kind: "wrong-role"; readonly role: "owner" | "gate" | "rehearsal" }
  | { readonly kind: "stranger-operator" }
  | { readonly kind: "names-other"; readonly database: string }
  | { readonly kind: "tampered"; readonly position: number }
  | { readonly kind: "wrong-typ"; readonly typ: string }
  | { readonly kind: "extra-claim"; readonly name: string }
  | { readonly kind: "production-identity" };

export interface MarkerValue {
  readonly entropy: number;
  readonly mode: "transactional" | "snapshot_restore";
  readonly flaw: MarkerFlaw;
}

export const markerFlawArbitrary: fc.Arbitrary<MarkerFlaw> = fc.oneof(
  fc.constant<MarkerFlaw>({ kind: "no-marker" }),
  fc.constantFrom("owner", "gate", "rehearsal").map((role): MarkerFlaw => ({ kind: "wrong-role", role })),
  fc.constant<MarkerFlaw>({ kind: "stranger-operator" }),
  fc
    .constantFrom(
      "production",
      "postgres2",
      "template1",
      ...lookalikes(REFERENCE_CLONE_DATABASE).filter((d) => /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$/.test(d)),
    )
    .map((database): MarkerFlaw => ({ kind: "names-other", database })),
  fc.nat(200).map((position): MarkerFlaw => ({ kind: "tampered", position })),
  fc
    .constantFrom("grant+jws", "evidence+jws", "decision-packet+jws", "Clone-marker+jws")
    .map((typ): MarkerFlaw => ({ kind: "wrong-typ", typ })),
  fc
    .constantFrom("production", "trusted", "expires_at")
    .map((name): MarkerFlaw => ({ kind: "extra-claim", name })),
  fc.constant<MarkerFlaw>({ kind: "production-identity" }),
);

function marker(ctx: FamilyContext, value: MarkerValue, database: string): CloneMarker {
  return {
    kind: "clone-marker",
    v: 1,
    marker_id: `marker-${labelOf(value).slice(0, 16)}`,
    clone: "failclosed-reference",
    database,
    issued_at: formatTimestamp(ctx.now - 3_600),
  };
}

function operator(ctx: FamilyContext): KeyEntry {
  return keyOf(ctx, "operator");
}

export async function markerCloneSetup(value: MarkerValue, ctx: FamilyContext): Promise<CloneSetup> {
  const f = value.flaw;
  const database = cloneDatabaseOf(ctx);
  const good = marker(ctx, value, database);
  const payload = (doc: unknown): string => JSON.stringify(doc);
  switch (f.kind) {
    case "no-marker":
      return { marker: null, productionDatabases: [] };
    case "wrong-role":
      return {
        marker: await rawJws(
          headerOf(keyOf(ctx, f.role), "clone-marker+jws"),
          payload(good),
          keyOf(ctx, f.role),
        ),
        productionDatabases: [],
      };
    case "stranger-operator": {
      const stranger = strangerOf(ctx, "operator");
      return {
        marker: await rawJws(headerOf(stranger, "clone-marker+jws"), payload(good), stranger),
        productionDatabases: [],
      };
    }
    case "names-other":
      return {
        marker: await sealAs(
          ctx,
          "operator",
          "clone-marker",
          marker(ctx, value, otherDatabase(f.database, database)),
        ),
        productionDatabases: [],
      };
    case "tampered": {
      const sealed = await sealAs(ctx, "operator", "clone-marker", good);
      const [h = "", p = "", s = ""] = sealed.split(".");
      const bytes = Buffer.from(p, "base64url");
      const at = f.position % bytes.length;
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      return { marker: `${h}.${bytes.toString("base64url")}.${s}`, productionDatabases: [] };
    }
    case "wrong-typ":
      return {
        marker: await rawJws(headerOf(operator(ctx), f.typ), payload(good), operator(ctx)),
        productionDatabases: [],
      };
    case "extra-claim":
      return {
        marker: await rawJws(
          headerOf(operator(ctx), "clone-marker+jws"),
          payload({ ...good, [f.name]: false }),
          operator(ctx),
        ),
        productionDatabases: [],
      };
    case "production-identity":
      return {
        marker: await sealAs(ctx, "operator", "clone-marker", good),
        productionDatabases: [database],
      };
  }
}

export function explainMarkerFlaw(f: MarkerFlaw): Explained {
  switch (f.kind) {
    case "no-marker":
      return { rule: "C1", what: "a clone without a marker" };
    case "wrong-role":
      return { rule: "C1", also: ["S1"], what: `marker sealed by the ${f.role} key` };
    case "stranger-operator":
      return { rule: "C1", also: ["S2"], what: "marker sealed by an operator key the lane does not know" };
    case "names-other":
      return { rule: "C1", what: `marker naming database ${JSON.stringify(f.database)}` };
    case "tampered":
      return { rule: "C1", also: ["S5"], what: "marker payload changed after sealing" };
    case "wrong-typ":
      return { rule: "C1", also: ["S4"], what: `marker sealed as ${f.typ}` };
    case "extra-claim":
      return { rule: "C1", also: ["R7"], what: `marker with an extra claim ${f.name}` };
    case "production-identity":
      return { rule: "C1", what: "the clone is one of the configured production identities" };
  }
}

/** The marker flaw table: drawn, explained, applied by building the clone the lane runs on. */
export const MARKER_FLAWS = {
  arbitrary: () => markerFlawArbitrary,
  explain: explainMarkerFlaw,
  apply: markerCloneSetup,
};

export function markerValues(
  table: { readonly arbitrary: () => fc.Arbitrary<MarkerFlaw> } = { arbitrary: () => markerFlawArbitrary },
): fc.Arbitrary<MarkerValue> {
  return fc.record({
    entropy: entropy(),
    mode: fc.constantFrom("transactional" as const, "snapshot_restore" as const),
    flaw: table.arbitrary(),
  });
}

export const markerBreaks = (value: MarkerValue): string => breaksText(explainMarkerFlaw(value.flaw));
export const describeMarker = (value: MarkerValue): string => `${markerBreaks(value)} (${value.mode})`;

/** The rehearsal is clean (it would PASS on a properly marked clone): the clone is the flaw. */
function migration(value: MarkerValue): string {
  const table = `fc_p07_${labelOf(value).slice(0, 12)}`;
  return `CREATE TABLE ${table} (id integer PRIMARY KEY);\nINSERT INTO ${table} VALUES (1), (2);\n`;
}

export function renderMarkerProbe(value: MarkerValue, ctx: FamilyContext): Promise<Uint8Array> {
  return Promise.resolve(
    renderMutated(rehearsalRequest(ctx, labelOf(value), value.mode, migration(value)), []),
  );
}
