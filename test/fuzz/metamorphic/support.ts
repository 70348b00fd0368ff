/**
 * What the metamorphic tests share: the run's keyring under test (with its second owner key), a
 * family context on a fixed clock, sources built as the families build them (an authorised request
 * with one part bent), and the reference target, clean or with one gate component swapped.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  authorizedParts,
  authorizedRequest,
  type AuthorizedParts,
} from "../../../src/fuzz/craft/authorized.js";
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { fireOnce } from "../../../src/fuzz/engine/fire.js";
import { familyContext } from "../../../src/fuzz/engine/family-context.js";
import { sealedByKeyring } from "../../../src/fuzz/engine/sealed-by.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import { metamorphicOracle, type MetamorphicOptions } from "../../../src/fuzz/oracles/metamorphic.js";
import { referenceOpener } from "../../../src/fuzz/targets/opener.js";
import type { ReferenceComponents } from "../../../src/fuzz/targets/reference.js";
import type { Expectation, FamilyContext, Judgement, Probe, Target } from "../../../src/fuzz/types.js";
import type { Action } from "../../../src/lane/index.js";

export const NOW = 1_781_265_600;
export const SALT = "metamorphic-tests";

export interface Bench {
  readonly kut: KeyringUnderTest;
  readonly ctx: FamilyContext;
  open(components?: ReferenceComponents): Promise<Target>;
  close(): Promise<void>;
}

export async function openBench(): Promise<Bench> {
  const kut = await deriveKeyringUnderTest(SALT);
  const ctx = familyContext(kut, NOW, SALT, { digest: "0".repeat(64), packets: [] });
  const workDir = await mkdtemp(join(tmpdir(), "failclosed-metamorphic-"));
  const targets: Target[] = [];
  return {
    kut,
    ctx,
    async open(components) {
      const target = await referenceOpener(workDir, components === undefined ? {} : { components })(kut, NOW);
      targets.push(target);
      return target;
    },
    async close() {
      await Promise.all(targets.map((t) => t.close().catch(() => undefined)));
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

let labels = 0;

/** A fully authorised request for `action`, with `bend` applied to its parts before sealing. */
export async function sourceBytes(
  ctx: FamilyContext,
  action: Action,
  bend: (parts: AuthorizedParts) => AuthorizedParts = (p) => p,
): Promise<Uint8Array> {
  labels += 1;
  const parts = bend(authorizedParts(ctx, `metamorphic-${labels}`, action));
  return Buffer.from(JSON.stringify(await authorizedRequest(ctx, parts)), "utf8");
}

/** Bends: a HOLD packet, an option too weak for the action, an open blocker, an unlisted tree. */
export const BENDS = {
  hold: (p: AuthorizedParts): AuthorizedParts => ({
    ...p,
    packet: { ...p.packet, selected: "HOLD_PRODUCTION" },
  }),
  weak: (p: AuthorizedParts): AuthorizedParts => ({
    ...p,
    packet: { ...p.packet, selected: "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY" },
  }),
  blocker: (p: AuthorizedParts): AuthorizedParts => ({
    ...p,
    packet: {
      ...p.packet,
      blockers: p.packet.blockers.map((b, i) => (i === 0 ? { ...b, status: "OPEN" as const } : b)),
    },
  }),
  unlisted: (p: AuthorizedParts): AuthorizedParts => ({ ...p, packet: { ...p.packet, evidence: [] } }),
} as const;

/** A target that counts what is fired at it: the source once, then each variant. */
export function counting(target: Target): { target: Target; fired: () => number } {
  let fired = 0;
  return {
    target: {
      name: target.name,
      operations: target.operations,
      fire: (operation, bytes, timeoutMs) => {
        fired += 1;
        return target.fire(operation, bytes, timeoutMs);
      },
      state: (operation) => target.state?.(operation) ?? Promise.resolve({ consumedNonces: 0 }),
      restart: () => target.restart(),
      close: () => target.close(),
    },
    fired: () => fired,
  };
}

/** Fires the source through the engine's one path and judges it with the metamorphic oracle only. */
export function judgeWith(
  bench: Bench,
  target: Target,
  bytes: Uint8Array,
  expectation: Extract<Expectation, "attack" | "control">,
  options: MetamorphicOptions,
): Promise<Judgement> {
  const probe: Probe = {
    family: "T-MM",
    operation: "decide",
    role: expectation,
    bytes,
    seed: 1,
    description: "metamorphic source",
    rule: expectation === "attack" ? "G3" : "control",
  };
  return fireOnce(probe, expectation, {
    target,
    oracles: [metamorphicOracle(options)],
    timeoutMs: 30_000,
    canaries: canariesFromJwks(bench.kut.jwkSets),
    sealedBy: sealedByKeyring(bench.kut.keyring),
    metamorphic: { keyring: bench.kut.keyring, now: NOW, salt: SALT },
  });
}
