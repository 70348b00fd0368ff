/**
 * P07's markers on an external lane name the database its clone hook reported (ctx.cloneDatabase):
 * every flaw still fails C1 for that database (must fire), and the one flaw that seals a marker
 * for it under the right key and typ ("production-identity") names it as production; "names
 * another database" never names the clone's own, even when the drawn name is the clone's.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MARKER_FLAWS, markerCloneSetup, markerValues } from "../../../src/fuzz/vocab/clone-markers.js";
import { verifySealedDocument } from "../../../src/lane/index.js";
import { vocabContext } from "./support.js";

describe("clone markers for a hooked lane's database", () => {
  it("every flaw fails C1 for the database the hook named (property)", async () => {
    const base = await vocabContext("clone-db");
    for (const database of ["app_clone", "production", "postgres2"]) {
      const ctx = { ...base, cloneDatabase: database };
      for (const value of fc.sample(markerValues(MARKER_FLAWS), { numRuns: 60, seed: 9 })) {
        const setup = await markerCloneSetup(value, ctx);
        const verified =
          setup.marker === null
            ? undefined
            : await verifySealedDocument(ctx.keyring, "clone-marker", setup.marker);
        const namesClone = verified?.ok === true && verified.value.payload.database === database;
        const passes = namesClone && !setup.productionDatabases.includes(database);
        expect(passes, MARKER_FLAWS.explain(value.flaw).what).toBe(false);
        if (value.flaw.kind === "production-identity") {
          expect(namesClone).toBe(true);
          expect(setup.productionDatabases).toEqual([database]);
        }
        if (value.flaw.kind === "names-other" && verified?.ok === true)
          expect(verified.value.payload.database).not.toBe(database);
      }
    }
  });
});
