import { createHash } from "node:crypto";
import fc from "fast-check";
import pLimit from "p-limit";
import type { EngineEvent } from "../events.js";
import type {
  FamilyContext,
  FamilyResult,
  FamilyStatus,
  Finding,
  Probe,
  ProbeFamily,
  Versions,
} from "../types.js";
import type { FireContext, Judgement } from "./fire.js";
import { fireProbe, type ProbeExtras } from "./fire-probe.js";
import { deriveSeed } from "./seeds.js";
import { encodeSteps } from "./scenario.js";

export interface FamilyRunOptions {
  readonly family: ProbeFamily;
  readonly ctx: FamilyContext;
  readonly fire: FireContext;
  readonly seed: number;
  /** How many generated probes to aim for; at least the family's minRuns counts as enough. */
  readonly runs: number;
  readonly budgetMs: number;
  /** This run's share of the family's minimum runs (all of it unless sharded). */
  readonly floor: number;
  /** Independent sub-seeds of this family run at once. */
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly emit: (event: EngineEvent) => Promise<void>;
  readonly versions: Versions;
  /** Findings already confirmed before generation (saved failures replayed from the corpus). */
  readonly replayed?: readonly Finding[];
  /**
   * A fresh instance of the target for confirmation. A wrongly allowed probe consumed its nonces,
   * so refiring it at the same instance would be denied as a replay and look flaky; an external
   * target has no fresh instance and is refired as it is.
   */
  readonly freshTarget?: () => Promise<FireContext["target"]>;
  /** Inconclusive before it starts (its saved failures could not be replayed): it fires nothing. */
  readonly inconclusiveFrom?: string;
}

/** Probes per fast-check run: small enough to stop promptly at the budget or an interrupt. */
const CHUNK = 100;

interface Failure {
  readonly value: unknown;
  readonly seed: number;
  readonly path: string | undefined;
  readonly judgement: Extract<Judgement, { kind: "fail" }>;
}

export function probeOf(
  family: ProbeFamily,
  bytes: Uint8Array,
  seed: number,
  path: string | undefined,
  description: string,
  rule: string,
): Probe {
  return {
    family: family.id,
    operation: family.operation,
    role: family.role,
    bytes,
    seed,
    ...(path === undefined ? {} : { path }),
    description,
    rule,
  };
}

async function extrasOf(family: ProbeFamily, value: unknown, ctx: FamilyContext): Promise<ProbeExtras> {
  const steps = await family.renderSteps?.(value, ctx);
  const cloneSetup = await family.cloneSetup?.(value, ctx);
  return { ...(steps === undefined ? {} : { steps }), ...(cloneSetup === undefined ? {} : { cloneSetup }) };
}

function findingId(family: string, bytes: Uint8Array): string {
  return `${family}-${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}`;
}

/**
 * Runs one family: fast-check generates structured values from seeded chunks, each rendered and
 * fired; a failure is shrunk by fast-check (each shrunk candidate must still break a rule, or it
 * is skipped), then re-fired to tell confirmed from flaky. Inconclusive when cut off below the
 * family's minimum runs, or when the harness or an oracle errs.
 */
export async function runFamily(options: FamilyRunOptions): Promise<FamilyResult> {
  const { family, ctx, signal } = options;
  const started = Date.now();
  const deadline = started + options.budgetMs;
  let runs = 0;
  let probes = 0;
  let inconclusive: string | undefined = options.inconclusiveFrom;
  let failure: Failure | undefined;
  const findings: Finding[] = [...(options.replayed ?? [])];
  // Bytes already fired in this run. Against a stateful target a repeat is not the same probe: its
  // grants are spent, so a shrink that revisits a value would "still fail" for the wrong reason.
  const fired = new Set<string>();
  await options.emit({
    type: "family-start",
    family: family.id,
    seed: options.seed,
    minRuns: family.minRuns,
  });

  const runChunk = async (chunk: number, numRuns: number): Promise<void> => {
    const chunkSeed = deriveSeed(options.seed, chunk);
    let latest: Extract<Judgement, { kind: "fail" }> | undefined;
    const property = fc.asyncProperty(family.arbitrary(ctx), async (value) => {
      if (signal.aborted || inconclusive !== undefined || failure !== undefined) return true;
      const rule = family.breaks(value, ctx);
      // A generated or shrunk attack that breaks nothing is not a probe: skip it, never report it.
      fc.pre(family.role === "control" || rule !== undefined);
      const bytes = await family.render(value, ctx);
      const fingerprint = createHash("sha256").update(bytes).digest("hex");
      fc.pre(!fired.has(fingerprint));
      fired.add(fingerprint);
      const probe = probeOf(family, bytes, chunkSeed, undefined, family.describe(value), rule ?? "control");
      const started = Date.now();
      const judgement = await fireProbe(probe, await extrasOf(family, value, ctx), options.fire);
      probes++;
      await options.emit({
        type: "probe",
        family: family.id,
        runs: runs + 1,
        outcome: judgement.kind === "error" ? "harness_error" : "responded",
        elapsedMs: Date.now() - started,
      });
      switch (judgement.kind) {
        case "pass":
          return true;
        case "error":
          inconclusive ??= judgement.detail;
          return true;
        case "fail":
          latest = judgement;
          return false;
      }
    });
    const remaining = Math.max(1, deadline - Date.now());
    const details = await fc.check(property, {
      seed: chunkSeed,
      numRuns,
      maxSkipsPerRun: 1_000,
      plugins: [fc.interruptAfterTimeLimit(remaining)],
    });
    runs += details.numRuns;
    if (details.failed && details.counterexample !== null && latest !== undefined && failure === undefined) {
      failure = {
        value: (details.counterexample as readonly unknown[])[0],
        seed: details.seed,
        path: details.counterexamplePath ?? undefined,
        judgement: latest,
      };
    } else if (details.failed && details.counterexample === null && inconclusive === undefined) {
      // fast-check itself gave up (too many skips, an error in the arbitrary): never a pass.
      const error = details.errorInstance;
      inconclusive = `fast-check could not run the family: ${error instanceof Error ? error.message : "too many skipped values"}`;
    }
  };

  // An exclusive family's own chunks would span each other's spends too: one at a time.
  const limit = pLimit(family.exclusive === true ? 1 : Math.max(1, options.concurrency));
  const pending: Array<Promise<void>> = [];
  let scheduled = 0;
  for (let chunk = 0; scheduled < options.runs; chunk++) {
    const numRuns = Math.min(CHUNK, options.runs - scheduled);
    scheduled += numRuns;
    pending.push(
      limit(async () => {
        if (signal.aborted || failure !== undefined || inconclusive !== undefined || Date.now() >= deadline)
          return;
        await runChunk(chunk, numRuns);
      }),
    );
  }
  await Promise.all(pending);

  if (failure !== undefined) {
    const finding = await confirm(options, failure, () => probes++);
    findings.push(finding);
    await options.emit({ type: "finding", finding });
  }
  const status: FamilyStatus =
    findings.length > 0
      ? { kind: "finding" }
      : inconclusive !== undefined
        ? { kind: "inconclusive", why: inconclusive }
        : signal.aborted
          ? { kind: "inconclusive", why: "interrupted" }
          : runs < options.floor
            ? { kind: "inconclusive", why: `cut off at ${runs} of at least ${options.floor} runs` }
            : { kind: "closed" };
  const result: FamilyResult = {
    family: family.id,
    name: family.name,
    role: family.role,
    operation: family.operation,
    rules: family.rules,
    seed: options.seed,
    runs,
    minRuns: family.minRuns,
    probes,
    elapsedMs: Date.now() - started,
    status,
    findings,
  };
  await options.emit({ type: "family-end", result });
  return result;
}

/**
 * A failure becomes a finding only after its minimal bytes are fired again: if the same oracle
 * fails again it is confirmed, otherwise flaky (which still blocks the release gate).
 */
async function confirm(options: FamilyRunOptions, failure: Failure, counted: () => void): Promise<Finding> {
  const { family, ctx } = options;
  const rule = family.breaks(failure.value, ctx) ?? "control";
  const bytes = await family.render(failure.value, ctx);
  const extras = await extrasOf(family, failure.value, ctx);
  const steps = extras.steps;
  const probe = probeOf(family, bytes, failure.seed, failure.path, family.describe(failure.value), rule);
  let confirmed = false;
  for (let attempt = 0; attempt < 2 && !confirmed; attempt++) {
    const target =
      options.freshTarget === undefined ? undefined : await options.freshTarget().catch(() => undefined);
    try {
      const fire = target === undefined ? options.fire : { ...options.fire, target };
      const again = await fireProbe(probe, extras, fire);
      counted();
      confirmed = again.kind === "fail" && again.oracle.name === failure.judgement.oracle.name;
    } finally {
      await target?.close().catch(() => undefined);
    }
  }
  return {
    id: findingId(family.id, bytes),
    family: family.id,
    oracle: failure.judgement.oracle.name,
    rule: `${failure.judgement.oracle.rule} (${rule})`,
    reason: failure.judgement.reason,
    operation: family.operation,
    role: family.role,
    description: probe.description,
    bytesB64: Buffer.from(bytes).toString("base64"),
    seed: failure.seed,
    ...(failure.path === undefined ? {} : { path: failure.path }),
    now: ctx.now,
    salt: ctx.salt,
    versions: options.versions,
    confirmation: confirmed ? "confirmed" : "flaky",
    target: options.fire.target.name,
    ...(steps === undefined ? {} : { steps: encodeSteps(steps) }),
    ...(extras.cloneSetup === undefined ? {} : { cloneSetup: extras.cloneSetup }),
  };
}
