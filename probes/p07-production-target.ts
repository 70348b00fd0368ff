import fc from "fast-check";
import {
  entropy,
  formatTimestamp,
  headerOf,
  keyOf,
  labelOf,
  lookalikes,
  rawJws,
  rehearsalRequest,
  renderMutated,
  sealAs,
  type CloneMarker,
  type CloneSetup,
  type FamilyContext,
  type KeyEntry,
  type ProbeFamily,
} from "../src/index.js";

/**
 * C1: clone targets that lack or forge their marker, or that the lane is configured to call
 * production. The rehearsal itself is clean (it would PASS on a properly marked clone), so the
 * clone's flaw is the only thing between the probe and a PASS.
 *
 * The reference lane's clone is embedded PostgreSQL, whose one database is named "postgres": a
 * marker for it names that database. Built by the target, since a lane takes its clone from its
 * configuration and never from a request.
 */
const CLONE_DATABASE = "postgres";

type Flaw =
  | { readonly kind: "no-marker" }
  | { readonly kind: "wrong-role"; readonly role: "owner" | "gate" | "rehearsal" }
  | { readonly kind: "stranger-operator" }
  | { readonly kind: "names-other"; readonly database: string }
  | { readonly kind: "tampered"; readonly position: number }
  | { readonly kind: "wrong-typ"; readonly typ: string }
  | { readonly kind: "extra-claim"; readonly name: string }
  | { readonly kind: "production-identity" };

interface Value {
  readonly entropy: number;
  readonly mode: "transactional" | "snapshot_restore";
  readonly flaw: Flaw;
}

const flaw: fc.Arbitrary<Flaw> = fc.oneof(
  fc.constant<Flaw>({ kind: "no-marker" }),
  fc.constantFrom("owner", "gate", "rehearsal").map((role): Flaw => ({ kind: "wrong-role", role })),
  fc.constant<Flaw>({ kind: "stranger-operator" }),
  fc
    .constantFrom(
      "production",
      "postgres2",
      "template1",
      ...lookalikes(CLONE_DATABASE).filter((d) => /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$/.test(d)),
    )
    .map((database): Flaw => ({ kind: "names-other", database })),
  fc.nat(200).map((position): Flaw => ({ kind: "tampered", position })),
  fc
    .constantFrom("grant+jws", "evidence+jws", "decision-packet+jws", "Clone-marker+jws")
    .map((typ): Flaw => ({ kind: "wrong-typ", typ })),
  fc.constantFrom("production", "trusted", "expires_at").map((name): Flaw => ({ kind: "extra-claim", name })),
  fc.constant<Flaw>({ kind: "production-identity" }),
);

function marker(ctx: FamilyContext, value: Value, database: string): CloneMarker {
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

async function setupOf(value: Value, ctx: FamilyContext): Promise<CloneSetup> {
  const f = value.flaw;
  const good = marker(ctx, value, CLONE_DATABASE);
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
      const stranger = [...ctx.strangerKeyring.values()].find((k) => k.role === "operator");
      if (stranger === undefined) throw new Error("the stranger keyring has no operator key");
      return {
        marker: await rawJws(headerOf(stranger, "clone-marker+jws"), payload(good), stranger),
        productionDatabases: [],
      };
    }
    case "names-other":
      return {
        marker: await sealAs(ctx, "operator", "clone-marker", marker(ctx, value, f.database)),
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
        productionDatabases: [CLONE_DATABASE],
      };
  }
}

function rule(f: Flaw): string {
  switch (f.kind) {
    case "no-marker":
      return "C1: a clone without a marker";
    case "wrong-role":
      return `C1/S1: marker sealed by the ${f.role} key`;
    case "stranger-operator":
      return "C1/S2: marker sealed by an operator key the lane does not know";
    case "names-other":
      return `C1: marker naming database ${JSON.stringify(f.database)}`;
    case "tampered":
      return "C1/S5: marker payload changed after sealing";
    case "wrong-typ":
      return `C1/S4: marker sealed as ${f.typ}`;
    case "extra-claim":
      return `C1/R7: marker with an extra claim ${f.name}`;
    case "production-identity":
      return "C1: the clone is one of the configured production identities";
  }
}

function migration(value: Value): string {
  const table = `fc_p07_${labelOf(value).slice(0, 12)}`;
  return `CREATE TABLE ${table} (id integer PRIMARY KEY);\nINSERT INTO ${table} VALUES (1), (2);\n`;
}

export const family: ProbeFamily<Value> = {
  id: "P07",
  name: "production-target",
  operation: "rehearse",
  role: "attack",
  rules: ["C1", "S1", "S2", "S4", "S5"],
  // Every probe builds a clone and boots a lane on it: a few seconds each.
  minRuns: 8,
  arbitrary: () =>
    fc.record({
      entropy: entropy(),
      mode: fc.constantFrom("transactional" as const, "snapshot_restore" as const),
      flaw,
    }),
  render: (value, ctx) =>
    Promise.resolve(renderMutated(rehearsalRequest(ctx, labelOf(value), value.mode, migration(value)), [])),
  cloneSetup: setupOf,
  breaks: (value) => rule(value.flaw),
  describe: (value) => `${rule(value.flaw)} (${value.mode})`,
};
