/**
 * What the engine's "done means" proof shares: the fixture keyring as a KeyringUnderTest, small
 * variants of the shipped families, one custom scenario family that makes F3 visible without a
 * state() (over HTTP and as a child), and runFuzz with the proof's small settings.
 */
import fc from "fast-check";
import { family as c01 } from "../../../probes/c01-gate-control.js";
import { family as p01 } from "../../../probes/p01-malformed-packet.js";
import { family as p02 } from "../../../probes/p02-forged-seal.js";
import {
  BUILTIN_BASE,
  authorizedParts,
  authorizedRequest,
  entropy,
  idFor,
  labelOf,
  renderMutated,
  type FamilyContext,
  type ProbeFamily,
  type Step,
} from "../../../src/index.js";
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { runFuzz } from "../../../src/fuzz/engine/engine.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import type { Report } from "../../../src/fuzz/report-types.js";
import type { FamilyResult, Target } from "../../../src/fuzz/types.js";
import { loadKeyringFromSources } from "../../../src/lane/seal/keyring.js";
import { ROLES, type Role } from "../../../src/lane/seal/roles.js";
import { familyContext } from "../../../src/fuzz/engine/family-context.js";
import { loadSeedCorpus } from "../../../src/fuzz/engine/seed-corpus.js";
import type { FixtureKeyring } from "../../fixtures/broken-targets/keyring.js";

/** The fixtures' fixed clock and the run's: documents are built relative to it. */
export const NOW = 1_781_265_600;
/** One fixed seed: every family's values, and so every verdict below, are the same on every run. */
export const SEED = 20_260_612;
/** Small runs: each broken fixture is caught within the first few probes. */
export const RUNS = 30;
export const BUDGET_MS = 60_000;
/** Per probe; a child's first probe also gets the child target's start-up allowance (30 s). */
export const TIMEOUT_MS = 15_000;

/**
 * The fixture keyring (every role's private key, then the public halves) as a KeyringUnderTest:
 * the fuzzer seals with exactly the keys the fixture's gate verifies with, and its canaries are
 * every secret of those sets. The fixture keyring has no strangers; derived ones serve as well.
 */
export async function keyringUnderTestOf(fixture: FixtureKeyring): Promise<KeyringUnderTest> {
  const keyring = await loadKeyringFromSources(fixture.sources, { testMode: true });
  const kids = {} as Record<Role, string>;
  for (const role of ROLES) {
    const key = [...keyring.values()].find((k) => k.role === role && k.signKey !== undefined);
    if (key === undefined) throw new Error(`the fixture keyring holds no private ${role} key`);
    kids[role] = key.kid;
  }
  const { stranger } = await deriveKeyringUnderTest("proof strangers");
  return { sources: fixture.sources, keyring, kids, stranger, jwkSets: fixture.sets };
}

/** A family's context exactly as runFuzz builds it for this seed, clock and keyring. */
export async function contextOf(kut: KeyringUnderTest, salt: string): Promise<FamilyContext> {
  return familyContext(kut, NOW, salt, await loadSeedCorpus());
}

/** The same family judged at the proof's scale: RUNS generated probes are enough to close it. */
export function scaled<S>(family: ProbeFamily<S>): ProbeFamily<S> {
  return { ...family, minRuns: RUNS };
}

/**
 * The same family without shrinking. Against a fixture that crashes or hangs, every shrink
 * candidate that fails costs a restart (a fresh PGlite in process, a fresh child in about 5 s),
 * and shrinking is proven elsewhere (test/fuzz/engine): here only catching matters.
 */
export function unshrinkable<S>(family: ProbeFamily<S>): ProbeFamily<S> {
  return { ...family, arbitrary: (ctx) => fc.noShrink(family.arbitrary(ctx)) };
}

type P01Value = Parameters<typeof p01.render>[0];
const REQUEST_MEMBERS = ["kind", "v", "request_id", "action", "target", "packet", "grants"] as const;

/**
 * P01 restricted to its R3 probes at the request's top level: a duplicate member (maybe spelled
 * with escapes), rendered by P01 itself. Full P01 reaches these rarely enough that 30 runs miss
 * them for some seeds, and shrinking its other malformations would restart the crashing target.
 */
export const p01DuplicateMembers: ProbeFamily<P01Value> = unshrinkable({
  ...scaled(p01),
  name: "malformed-packet (duplicate request members)",
  arbitrary: () =>
    fc
      .record({
        entropy: entropy(),
        name: fc.constantFrom(...REQUEST_MEMBERS),
        raw: fc.constantFrom('"x"', "1"),
        escapeName: fc.boolean(),
      })
      .map(({ entropy: e, name, raw, escapeName }): P01Value => ({
        entropy: e,
        base: BUILTIN_BASE,
        where: "request",
        malformations: [
          {
            mutation: { kind: "duplicate", path: [], name, raw, escapeName },
            rule: "R3",
            what: `duplicate member ${name}`,
          },
        ],
      })),
});

const IRREVERSIBLE = ["PERMIT", "ACTIVATION", "REPOINT", "CUTOVER"] as const;
type Irreversible = (typeof IRREVERSIBLE)[number];

interface RefusalValue {
  readonly entropy: number;
  /** What the grants authorise. */
  readonly action: Irreversible;
  /** What the refused twin asks for with those same grants. */
  readonly asked: Irreversible;
}

async function refusalSteps(value: RefusalValue, ctx: FamilyContext): Promise<Step[]> {
  const label = labelOf(value);
  const honest = await authorizedRequest(ctx, authorizedParts(ctx, label, value.action));
  // Same packet and grants, another action: a correct gate refuses it (grant missing) and spends
  // nothing; its own request_id, so only the grants tie the two requests together.
  const twin = { ...honest, action: value.asked, request_id: idFor(ctx, "req", `${label}:twin`) };
  return [
    { kind: "attack", bytes: renderMutated(twin, []) },
    { kind: "setup", bytes: renderMutated(honest, []) },
  ];
}

/**
 * G8 seen from outside: a refused request, then the honest request with the same grants, which
 * must still be allowed. In process the state oracle (F3) catches a refusal that spends grants at
 * the first step; over HTTP or as a child there is no state() to read, and the honest request
 * (a setup, judged by the sequence oracle) being denied `replayed` is what shows it.
 */
export const refusalThenUse: ProbeFamily<RefusalValue> = {
  id: "X03",
  name: "refusal-then-use",
  operation: "decide",
  role: "attack",
  rules: ["G8", "F3"],
  minRuns: RUNS,
  // Its setups spend grants: no other family's state snapshot may span them.
  exclusive: true,
  arbitrary: () =>
    fc
      .record({
        entropy: entropy(),
        action: fc.constantFrom(...IRREVERSIBLE),
        asked: fc.constantFrom(...IRREVERSIBLE),
      })
      .filter((v) => v.action !== v.asked),
  render: async (value, ctx) =>
    Buffer.from(
      (await refusalSteps(value, ctx))
        .map((s) => `${s.kind} ${Buffer.from(s.bytes).toString("base64")}`)
        .join("\n"),
    ),
  renderSteps: refusalSteps,
  breaks: (value) =>
    value.action === value.asked
      ? undefined
      : `G8: a refused ${value.asked} request must leave its ${value.action} grants unspent`,
  describe: (value) => `${value.asked} refused, then the honest ${value.action} with the same grants`,
};

/** Typed as any family: their value types are private to the probe modules. */
export const C01: ProbeFamily = scaled(c01);
export const P02: ProbeFamily = scaled(p02);

/** A target the proof lends to runFuzz, which closes what it opened: the fixture closes it later. */
export function borrowed(target: Target): Target {
  return { ...target, close: () => Promise.resolve() };
}

export interface ProofOptions {
  readonly timeoutMs?: number;
  readonly seed?: number;
}

/** The engine, end to end, against an already started target with the fixture's keyring. */
export function runProof(
  target: Target,
  kut: KeyringUnderTest,
  families: readonly ProbeFamily[],
  options: ProofOptions = {},
): Promise<Report> {
  return runFuzz({
    families,
    openTarget: () => Promise.resolve(borrowed(target)),
    // SPEC section 9's oracles: the metamorphic one's variants would be among the requests a
    // fixture counts (`hangs` hangs every Nth), and each child restart they cost adds seconds.
    oracles: ORACLES.filter((oracle) => oracle.name !== "metamorphic"),
    canariesOf: (k) => canariesFromJwks(k.jwkSets),
    seed: options.seed ?? SEED,
    runs: RUNS,
    budgetMs: BUDGET_MS,
    // One family and one probe at a time: the child answers one line at a time anyway, and
    // F3's snapshots must not span another family's probes.
    concurrency: 1,
    familyConcurrency: 1,
    timeoutMs: options.timeoutMs ?? TIMEOUT_MS,
    signal: new AbortController().signal,
    reporters: [],
    now: NOW,
    keyringUnderTest: () => Promise.resolve(kut),
  });
}

export function resultOf(report: Report, family: string): FamilyResult {
  const result = report.families.find((r) => r.family === family);
  if (result === undefined) throw new Error(`family ${family} is not in the report`);
  return result;
}
