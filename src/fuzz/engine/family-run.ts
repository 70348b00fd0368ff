import { createHash } from "node:crypto";
import fc from "fast-check";
import type { EngineEvent } from "../events.js";
import type {
  FamilyContext,
  FamilyResult,
  FamilyStatus,
  Finding,
  Judgement,
  Probe,
  ProbeFamily,
  Versions,
} from "../types.js";
import type { Chunk } from "./chunks.js";
import { planChunks } from "./chunks.js";
import type { FireContext } from "./fire.js";
import { fireProbe, type ProbeExtras } from "./fire-probe.js";
import { redactedError } from "../oracles/redact.js";
import { formatLimit, HARD_LIMIT_FLAG } from "./budget.js";
import { deriveSeed } from "./seeds.js";
import { encodeSteps } from "./scenario.js";
import { attribute, type Recheck } from "./attribution.js";

export interface FamilyRunSettings {
  readonly family: ProbeFamily;
  readonly ctx: FamilyContext;
  readonly fire: FireContext;
  readonly seed: number;
  /** How many generated probes to aim for; runs beyond the floor are bounded by the budget. */
  readonly runs: number;
  /** This run's share of the family's minimum runs (all of it unless sharded): always completed. */
  readonly floor: number;
  /** Cut the first runs into single-run smoke chunks (the engine's interleaved smoke round). */
  readonly smoke: boolean;
  /** Epoch ms after which no run beyond the floor starts, and those running stop. */
  readonly budgetDeadline: number;
  /** Epoch ms after which nothing runs: the only thing that can cut a floor short. */
  readonly hardDeadline: number;
  /** The hard limit's length, for the reason a family gives when it cut the floor short. */
  readonly hardLimitMs: number;
  /** Epoch ms the run started: a finding's foundAtMs counts from it. */
  readonly runStartedMs: number;
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

interface Failure {
  readonly value: unknown;
  readonly seed: number;
  readonly path: string | undefined;
  readonly judgement: Extract<Judgement, { kind: "fail" }>;
  readonly foundAtMs: number;
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
  const fault = family.fault?.(value);
  return {
    ...(steps === undefined ? {} : { steps }),
    ...(cloneSetup === undefined ? {} : { cloneSetup }),
    ...(fault === undefined ? {} : { fault }),
  };
}

/** A hang is fired again with four times the probe timeout (a minute at the default 15 s). */
function recheckTimeout(timeoutMs: number): number {
  return 4 * timeoutMs;
}

/** How many times a failure's bytes are fired again before it is called flaky. */
const RECHECK_ATTEMPTS = 2;

function isCrashOrHang(failure: Failure): boolean {
  return failure.judgement.outcome === "crashed" || failure.judgement.outcome === "timed_out";
}

function fingerprintOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Timers take at most 2^31-1 ms; a longer (or infinite) wait would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function timeLimit(deadline: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(1, deadline - Date.now()));
}

function findingId(family: string, bytes: Uint8Array): string {
  return `${family}-${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}`;
}

/**
 * One family's run, chunk by chunk, so the engine can interleave families: fast-check generates
 * structured values from seeded chunks, each rendered, fired and judged; a failure is shrunk by
 * fast-check (each shrunk candidate must still break a rule, or it is skipped), then re-fired to
 * tell confirmed from flaky. The floor is completed unless the hard limit, an interrupt, a finding
 * or an error stops it; only runs beyond the floor answer to the budget.
 */
export class FamilyRun {
  readonly chunks: readonly Chunk[];
  readonly #s: FamilyRunSettings;
  readonly #started = Date.now();
  #runs = 0;
  #probes = 0;
  #firstProbeMs: number | undefined;
  #inconclusive: string | undefined;
  /**
   * Every chunk's failure, in the order found: sub-seeds in flight at once can each see the same
   * crash, and only firing each alone tells whose bytes caused it (attribution.ts).
   */
  readonly #failures: Failure[] = [];
  #hardLimitHit = false;
  /**
   * Bytes already fired in this run. Against a stateful target a repeat is not the same probe: its
   * grants are spent, so a shrink that revisits a value would "still fail" for the wrong reason.
   */
  readonly #fired = new Set<string>();

  constructor(settings: FamilyRunSettings) {
    this.#s = settings;
    this.#inconclusive = settings.inconclusiveFrom;
    this.chunks = planChunks(settings.runs, settings.floor, settings.smoke);
  }

  get family(): ProbeFamily {
    return this.#s.family;
  }

  start(): Promise<void> {
    const { family, seed } = this.#s;
    return this.#s.emit({ type: "family-start", family: family.id, seed, minRuns: family.minRuns });
  }

  /** Whether a chunk would still do anything: nothing runs after a finding, an error or a stop. */
  #stopped(chunk: Chunk): boolean {
    const now = Date.now();
    if (now >= this.#s.hardDeadline) this.#hardLimitHit = true;
    return (
      this.#s.signal.aborted ||
      this.#failures.length > 0 ||
      this.#inconclusive !== undefined ||
      this.#hardLimitHit ||
      (chunk.beyondFloor && now >= this.#s.budgetDeadline)
    );
  }

  async runChunk(chunk: Chunk): Promise<void> {
    if (this.#stopped(chunk)) return;
    const { family, ctx, signal } = this.#s;
    const chunkSeed = deriveSeed(this.#s.seed, chunk.index);
    let latest: Failure | undefined;
    const property = fc.asyncProperty(family.arbitrary(ctx), async (value) => {
      if (signal.aborted || this.#inconclusive !== undefined || this.#failures.length > 0) return true;
      const rule = family.breaks(value, ctx);
      // A generated or shrunk attack that breaks nothing is not a probe: skip it, never report it.
      fc.pre(family.role === "control" || rule !== undefined);
      const bytes = await family.render(value, ctx);
      const fingerprint = createHash("sha256").update(bytes).digest("hex");
      fc.pre(!this.#fired.has(fingerprint));
      this.#fired.add(fingerprint);
      const probe = probeOf(family, bytes, chunkSeed, undefined, family.describe(value), rule ?? "control");
      const started = Date.now();
      this.#firstProbeMs ??= started - this.#s.runStartedMs;
      const extras = await extrasOf(family, value, ctx);
      const first = await fireProbe(probe, extras, this.#s.fire);
      this.#probes++;
      // Shrinking (a failure already seen) takes a hang as it is; the finding is confirmed later.
      const judgement = latest === undefined ? await this.#unlessSlow(first, probe, extras) : first;
      await this.#s.emit({
        type: "probe",
        family: family.id,
        runs: this.#runs + 1,
        outcome: judgement.kind === "error" ? "harness_error" : "responded",
        elapsedMs: Date.now() - started,
      });
      switch (judgement.kind) {
        case "pass":
          return true;
        case "error":
          this.#inconclusive ??= judgement.detail;
          return true;
        case "fail":
          // The first failure is the detection; shrinking refines its value, not its time.
          latest = {
            value,
            seed: chunkSeed,
            path: undefined,
            judgement,
            foundAtMs: latest?.foundAtMs ?? Date.now() - this.#s.runStartedMs,
          };
          return false;
      }
    });
    const deadline = chunk.beyondFloor
      ? Math.min(this.#s.budgetDeadline, this.#s.hardDeadline)
      : this.#s.hardDeadline;
    const details = await fc.check(property, {
      seed: chunkSeed,
      numRuns: chunk.numRuns,
      maxSkipsPerRun: 1_000,
      plugins: [fc.interruptAfterTimeLimit(timeLimit(deadline))],
    });
    this.#runs += details.numRuns;
    if (details.interrupted && Date.now() >= this.#s.hardDeadline) this.#hardLimitHit = true;
    if (details.failed && details.counterexample !== null && latest !== undefined) {
      this.#failures.push({
        ...latest,
        value: (details.counterexample as readonly unknown[])[0],
        seed: details.seed,
        path: details.counterexamplePath ?? undefined,
      });
    } else if (details.failed && (details.counterexample !== null || !details.interrupted)) {
      // fast-check gave up (too many skips) or the property threw (an arbitrary, a renderer, the
      // harness): nothing was judged, so never a pass. The message is cleared of canaries first.
      const error = details.errorInstance;
      const why = error === null ? "too many skipped values" : redactedError(error, this.#s.fire.canaries);
      this.#inconclusive ??= `fast-check could not run the family: ${why}`;
    }
  }

  /**
   * A control that got no answer within the probe timeout is fired again at once, alone, with four
   * times the time: on a loaded machine (other work on both cores) a clean rehearsal can take
   * longer than the timeout without the target being at fault, and how loaded the machine is must
   * not decide a verdict. The answer then given is the one judged; only a probe that hangs again
   * counts as a hang (and is confirmed once more before it is a finding). The hard limit stays the
   * one clock a slow machine can run out of.
   */
  async #unlessSlow(judgement: Judgement, probe: Probe, extras: ProbeExtras): Promise<Judgement> {
    if (judgement.kind !== "fail" || judgement.outcome !== "timed_out") return judgement;
    // Only a control's timeout is excused by an answer to a second firing: the control's point
    // (the gate allows what is authorised, F5) is made by that answer. An attack that got no
    // answer is an F4 candidate: a gate that hangs on every other request answers the second
    // firing at once, and excusing it would close the family on a gate that hangs. It goes to
    // the confirmation instead, where a hang that does not come back is flaky or inconclusive,
    // never closed.
    if (probe.role !== "control") return judgement;
    // At the run's own target: the hung instance was already replaced (fire.ts restarts after a
    // hang), and opening a fresh reference lane on a loaded machine would cost more than the probe.
    const again = await this.#fireAlone(probe, extras, recheckTimeout(this.#s.fire.timeoutMs), "shared");
    this.#probes++;
    if ("unjudged" in again) return { kind: "error", detail: again.unjudged };
    return again.kind === "fail" && again.outcome === "timed_out" ? judgement : again;
  }

  #status(findings: readonly Finding[]): FamilyStatus {
    const { floor, signal } = this.#s;
    if (findings.length > 0) return { kind: "finding" };
    if (this.#inconclusive !== undefined) return { kind: "inconclusive", why: this.#inconclusive };
    if (signal.aborted) return { kind: "inconclusive", why: "interrupted" };
    if (this.#runs >= floor) return { kind: "closed" };
    if (this.#hardLimitHit)
      return {
        kind: "inconclusive",
        why:
          `the hard limit of ${formatLimit(this.#s.hardLimitMs)} ended the run at ${this.#runs} of at least ` +
          `${floor} runs: the machine was too slow to finish the floor; give it more time with ${HARD_LIMIT_FLAG}`,
      };
    if (this.#s.runs < floor)
      return {
        kind: "inconclusive",
        why:
          `--runs ${this.#s.runs} is below this family's minimum of ${floor} runs, so it cannot close: ` +
          `leave --runs out (each family then runs its minimum) or raise it`,
      };
    return { kind: "inconclusive", why: `cut off at ${this.#runs} of at least ${floor} runs` };
  }

  /** Confirms a failure, if any, and reports how the family ended. */
  async finish(): Promise<FamilyResult> {
    const { family } = this.#s;
    const findings: Finding[] = [...(this.#s.replayed ?? [])];
    if (this.#failures.length > 0) {
      const confirmed = await this.#confirm();
      if ("inconclusive" in confirmed) {
        this.#inconclusive ??= confirmed.inconclusive;
      } else {
        findings.push(confirmed);
        await this.#s.emit({ type: "finding", finding: confirmed });
      }
    }
    const result: FamilyResult = {
      family: family.id,
      name: family.name,
      role: family.role,
      operation: family.operation,
      rules: family.rules,
      seed: this.#s.seed,
      runs: this.#runs,
      minRuns: family.minRuns,
      probes: this.#probes,
      elapsedMs: Date.now() - this.#started,
      ...(this.#firstProbeMs === undefined ? {} : { firstProbeMs: this.#firstProbeMs }),
      status: this.#status(findings),
      findings,
    };
    await this.#s.emit({ type: "family-end", result });
    return result;
  }

  /**
   * A failure becomes a finding only after its minimal bytes are fired again, alone: if the same
   * oracle fails again it is confirmed, otherwise flaky (which still blocks the release gate). A
   * crash or a hang may have been caused by a sibling in flight on the same target, so every chunk
   * that saw one is a suspect, each fired alone in turn, and the finding is the one that
   * reproduces (attribution.ts). A hang is fired again with generous time (HANG_RECHECK): one
   * that then answers was the machine's slowness, not the target's, and makes the family
   * inconclusive with a hint, never a finding.
   */
  async #confirm(): Promise<Finding | { readonly inconclusive: string }> {
    const [first, ...rest] = this.#failures as [Failure, ...Failure[]];
    const suspects = isCrashOrHang(first)
      ? [first, ...(await this.#distinct(rest.filter(isCrashOrHang), first))]
      : [first];
    const pinned = await attribute(suspects as [Failure, ...Failure[]], (failure) => this.#recheck(failure));
    if (pinned.kind === "confirmed") return this.#finding(pinned.suspect, "confirmed");
    const { recheck } = pinned;
    switch (recheck.kind) {
      case "unjudged":
        return { inconclusive: recheck.why };
      case "not_reproduced":
        if (first.judgement.outcome === "timed_out" && recheck.passed === RECHECK_ATTEMPTS)
          return {
            inconclusive:
              `a probe got no answer within ${this.#s.fire.timeoutMs} ms, then passed twice within ` +
              `${recheckTimeout(this.#s.fire.timeoutMs)} ms when fired again: the machine was too slow for ` +
              `the probe timeout; give probes more time with --timeout`,
          };
        return this.#finding(first, "flaky");
      case "reproduced":
        return this.#finding(first, "confirmed");
    }
  }

  /** Suspects whose bytes differ from those already listed: the same bytes need firing once. */
  async #distinct(failures: readonly Failure[], first: Failure): Promise<Failure[]> {
    const { family, ctx } = this.#s;
    const seen = new Set([fingerprintOf(await family.render(first.value, ctx))]);
    const kept: Failure[] = [];
    for (const failure of failures) {
      const key = fingerprintOf(await family.render(failure.value, ctx));
      if (!seen.has(key)) kept.push(failure);
      seen.add(key);
    }
    return kept;
  }

  /**
   * Fires one failure's exact bytes again, alone: at a fresh target when there is one, or else at
   * the shared target while no other probe is in flight (the run's state lock, held exclusively).
   */
  async #recheck(failure: Failure): Promise<Recheck> {
    const { family, ctx } = this.#s;
    const probe = await this.#probeOf(failure);
    const extras = await extrasOf(family, failure.value, ctx);
    const hang = failure.judgement.outcome === "timed_out";
    const timeoutMs = hang ? recheckTimeout(this.#s.fire.timeoutMs) : this.#s.fire.timeoutMs;
    let passed = 0;
    for (let attempt = 0; attempt < RECHECK_ATTEMPTS; attempt++) {
      const again = await this.#fireAlone(probe, extras, timeoutMs);
      if ("unjudged" in again) return { kind: "unjudged", why: again.unjudged };
      this.#probes++;
      if (again.kind === "pass") passed++;
      if (
        again.kind === "fail" &&
        again.oracle.name === failure.judgement.oracle.name &&
        (!hang || again.outcome === "timed_out")
      )
        return { kind: "reproduced" };
    }
    return { kind: "not_reproduced", passed };
  }

  async #fireAlone(
    probe: Probe,
    extras: ProbeExtras,
    timeoutMs: number,
    where: "fresh-if-any" | "shared" = "fresh-if-any",
  ): Promise<Judgement | { readonly unjudged: string }> {
    const shared = { ...this.#s.fire, timeoutMs, stateLock: undefined };
    const fresh = where === "shared" ? undefined : this.#s.freshTarget;
    if (fresh === undefined) {
      const lock = this.#s.fire.stateLock;
      const fire = (): Promise<Judgement> => fireProbe(probe, extras, shared);
      return lock === undefined ? fire() : lock.exclusive(fire, probe.operation);
    }
    let target: FireContext["target"];
    try {
      target = await fresh();
    } catch (error) {
      // Said, not swallowed: without a fresh target the failure cannot be judged alone.
      return {
        unjudged: `a fresh target to confirm a failure could not be opened: ${redactedError(error, this.#s.fire.canaries)}`,
      };
    }
    try {
      // A fresh target is this probe's alone: no other probe's state snapshots to guard.
      return await fireProbe(probe, extras, { ...shared, target });
    } finally {
      await target.close().catch(() => undefined);
    }
  }

  async #probeOf(failure: Failure): Promise<Probe> {
    const { family, ctx } = this.#s;
    const rule = family.breaks(failure.value, ctx) ?? "control";
    const bytes = await family.render(failure.value, ctx);
    return probeOf(family, bytes, failure.seed, failure.path, family.describe(failure.value), rule);
  }

  async #finding(failure: Failure, confirmation: Finding["confirmation"]): Promise<Finding> {
    const { family, ctx } = this.#s;
    const probe = await this.#probeOf(failure);
    const extras = await extrasOf(family, failure.value, ctx);
    const steps = extras.steps;
    return {
      id: findingId(family.id, probe.bytes),
      family: family.id,
      oracle: failure.judgement.oracle.name,
      rule: `${failure.judgement.oracle.rule} (${probe.rule})`,
      reason: failure.judgement.reason,
      operation: family.operation,
      role: family.role,
      description: probe.description,
      bytesB64: Buffer.from(probe.bytes).toString("base64"),
      seed: failure.seed,
      ...(failure.path === undefined ? {} : { path: failure.path }),
      now: ctx.now,
      salt: ctx.salt,
      versions: this.#s.versions,
      confirmation,
      foundAtMs: failure.foundAtMs,
      target: this.#s.fire.target.name,
      ...(steps === undefined ? {} : { steps: encodeSteps(steps) }),
      ...(extras.cloneSetup === undefined ? {} : { cloneSetup: extras.cloneSetup }),
      ...(extras.fault === undefined ? {} : { fault: extras.fault }),
    };
  }
}
