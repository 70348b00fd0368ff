/**
 * Findings replay from their bytes (DESIGN: "Findings replay from bytes"): a finding from a broken
 * fixture, saved with the report writer and read back, still fails against the same broken gate
 * and passes against the correct one (fixed); and its bytes come back from its seed and path
 * alone, on the same family and versions, and from a second run with the same seed.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as p02 } from "../../../probes/p02-forged-seal.js";
import { canariesFromJwks, makeScanner } from "../../../src/fuzz/canary/index.js";
import type { KeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import { regenerateBytes } from "../../../src/fuzz/engine/regenerate.js";
import { replayFinding, type ReplaySetup } from "../../../src/fuzz/engine/replay.js";
import { saltFor } from "../../../src/fuzz/engine/seeds.js";
import { currentVersions } from "../../../src/fuzz/engine/versions.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import { findingFileName, validateFinding, writeFinding } from "../../../src/fuzz/report/index.js";
import type { Finding, ProbeFamily } from "../../../src/fuzz/types.js";
import { makeFixtureKeyring, type FixtureKeyring } from "../../fixtures/broken-targets/keyring.js";
import type { FixtureName } from "../../fixtures/broken-targets/names.js";
import { startFixtureTarget } from "../../fixtures/broken-targets/start.js";
import {
  NOW,
  P02,
  SEED,
  TIMEOUT_MS,
  contextOf,
  keyringUnderTestOf,
  refusalThenUse,
  resultOf,
  runProof,
} from "./support.js";

let fixtureKeyring: FixtureKeyring;
let kut: KeyringUnderTest;
let reportDir: string;

beforeAll(async () => {
  fixtureKeyring = await makeFixtureKeyring();
  kut = await keyringUnderTestOf(fixtureKeyring);
  reportDir = await mkdtemp(join(tmpdir(), "failclosed-proof-replay-"));
});

afterAll(async () => {
  await rm(reportDir, { recursive: true, force: true });
});

/** Replays at a fresh in-process instance of the fixture, on the finding's clock, as replay does. */
function setupFor(name: FixtureName): ReplaySetup {
  return {
    openTarget: async (_kut, now) =>
      (await startFixtureTarget(name, "in-process", { keyring: fixtureKeyring, now })).target,
    oracles: ORACLES,
    canariesOf: (k) => canariesFromJwks(k.jwkSets),
    timeoutMs: TIMEOUT_MS,
    // The fixture's keys, not the ones derived from the salt: those are what its gate verifies with.
    keyringUnderTest: () => Promise.resolve(kut),
  };
}

/** Runs one family against a fresh in-process fixture and returns its one finding. */
async function findingFrom(name: FixtureName, family: ProbeFamily): Promise<Finding> {
  const started = await startFixtureTarget(name, "in-process", { keyring: fixtureKeyring, now: NOW });
  try {
    const report = await runProof(started.target, kut, [family]);
    const findings = resultOf(report, family.id).findings;
    expect(findings).toHaveLength(1);
    const finding = findings[0];
    if (finding === undefined) throw new Error("no finding");
    return finding;
  } finally {
    await started.close();
  }
}

/** Saves a finding with the report writer (canary-scanned) and reads the file back, validated. */
async function saveAndLoad(finding: Finding): Promise<Finding> {
  await writeFinding(reportDir, finding, makeScanner(canariesFromJwks(kut.jwkSets)));
  const text = await readFile(join(reportDir, findingFileName(finding.id)), "utf8");
  const valid = validateFinding(JSON.parse(text) as unknown);
  if (!valid.ok) throw new Error(`the saved finding does not validate: ${valid.error}`);
  return valid.value;
}

describe("a finding saved from a broken fixture", () => {
  let forged: Finding;
  let spent: Finding;

  beforeAll(async () => {
    forged = await saveAndLoad(await findingFrom("allowsForged", P02));
    spent = await saveAndLoad(await findingFrom("changesStateOnRefusal", refusalThenUse));
  });

  it("is written and read back exactly", () => {
    expect(forged).toMatchObject({ family: "P02", oracle: "verdict", confirmation: "confirmed" });
    expect(forged.path).toMatch(/^\d+(:\d+)*$/);
    expect(spent).toMatchObject({ family: "X03", oracle: "state", confirmation: "confirmed" });
    expect(spent.steps?.map((s) => s.kind)).toEqual(["attack", "setup"]);
  });

  it("replays from its bytes: still fails against the same broken gate, by the same oracle", async () => {
    const again = await replayFinding(forged, setupFor("allowsForged"));
    expect(again.kind === "fail" ? { kind: again.kind, oracle: again.oracle.name } : again).toEqual({
      kind: "fail",
      oracle: "verdict",
    });
    // A scenario replays every step, in order: the refusal spends the grants again.
    const replayed = await replayFinding(spent, setupFor("changesStateOnRefusal"));
    expect(
      replayed.kind === "fail" ? { kind: replayed.kind, oracle: replayed.oracle.name } : replayed,
    ).toEqual({
      kind: "fail",
      oracle: "state",
    });
  });

  it("replays as fixed against the correct gate", async () => {
    expect(await replayFinding(forged, setupFor("correct"))).toEqual({ kind: "pass" });
    expect(await replayFinding(spent, setupFor("correct"))).toEqual({ kind: "pass" });
  });

  it("regenerates the same bytes from its seed and path on the same family and versions", async () => {
    // Same versions and seeds, so the regenerated bytes must be identical (a difference would be
    // a bug).
    const ctx = await contextOf(kut, forged.salt);
    expect(forged.versions).toEqual({ ...currentVersions(), corpus: ctx.corpus.digest });
    expect(forged.salt).toBe(saltFor(SEED));
    const bytes = await regenerateBytes(p02, forged, ctx);
    expect(Buffer.from(bytes).toString("base64")).toBe(forged.bytesB64);
    const steps = await regenerateBytes(refusalThenUse, spent, await contextOf(kut, spent.salt));
    expect(Buffer.from(steps).toString("base64")).toBe(spent.bytesB64);
  });

  it("is found again, byte for byte, by a second run with the same seed", async () => {
    const second = await findingFrom("allowsForged", P02);
    expect({
      id: second.id,
      bytesB64: second.bytesB64,
      seed: second.seed,
      path: second.path,
      oracle: second.oracle,
    }).toEqual({
      id: forged.id,
      bytesB64: forged.bytesB64,
      seed: forged.seed,
      path: forged.path,
      oracle: forged.oracle,
    });
  });
});
