/**
 * The example in README and docs/operating.md, used exactly as a user would: the subpath import
 * `failclosed/vitest` (resolved through package.json's exports, so `npm run build` first, as
 * `npm test` does), a gate of one's own as an in-process handler, its test keyring as files.
 * Here "our gate" is the reference gate with nothing broken (test/fixtures/broken-targets).
 */
import { afterAll, beforeAll } from "vitest";
import { itFailsClosed } from "failclosed/vitest";
import { makeFixtureKeyring, openFixtureService } from "../fixtures/broken-targets/index.js";
import { writeKeyringFiles } from "../fixtures/broken-targets/keyring.js";
import { fixedClock } from "../../src/kernel/clock.js";

let gate: Awaited<ReturnType<typeof openFixtureService>>;
let keyring: Awaited<ReturnType<typeof writeKeyringFiles>>;

beforeAll(async () => {
  const keys = await makeFixtureKeyring();
  keyring = await writeKeyringFiles(keys.sets);
  gate = await openFixtureService("correct", {
    sources: keys.sources,
    clock: fixedClock(Math.floor(Date.now() / 1000)),
  });
});

afterAll(async () => {
  await gate?.close();
  await keyring?.remove();
});

itFailsClosed(
  "our gate fails closed",
  () => ({
    handler: { decide: async (body: Uint8Array) => (await gate.decide(body)).bytes },
    keyring: keyring.paths,
  }),
  // Two families keep this example quick; a nightly job runs them all.
  { only: ["P02", "C01"], seed: 7 },
);
