/**
 * Metamorphic relations on the gate's decision (issue #15). From a probe the gate refused (an
 * attack answered HOLD or DENY) or allowed (a control), a few variants are derived
 * (src/fuzz/metamorphic/) and fired at the same target; each relation says from SPEC what the
 * variant must get: never ALLOW, or exactly the source's verdict and reasons. A violation names the
 * relation, the source (the finding's bytes) and the variant (its edit and digest): replaying the
 * finding fires the source and derives the same variant again, so both reproduce.
 */
import { createHash } from "node:crypto";
import {
  RELATIONS,
  keepsSizeClass,
  rotation,
  sourceOf,
  type Expect,
  type Relation,
  type RelationId,
  type Standing,
} from "../metamorphic/index.js";
import type { Answer, Oracle, OracleInput, OracleVerdict, Outcome } from "../types.js";
import { answerOf } from "./answer.js";
import { redacted } from "./redact.js";
import { lenientPositiveReading } from "./lenient.js";

export interface MetamorphicOptions {
  /** The relations to check (default all). */
  readonly relations?: readonly RelationId[];
  /** How many variants a probe gets at most (default 1): each is one more request to the target. */
  readonly perProbe?: number;
}

/**
 * One variant a probe: two cost the default run about 11 s of its gate families' 40 s (docs/probes.md,
 * "Budget"), and each relation still gets hundreds of sources a run.
 */
export const DEFAULT_VARIANTS_PER_PROBE = 1;

function standingOf(input: OracleInput): Standing | undefined {
  const { answer, expectation } = input;
  if (answer.kind !== "document") return undefined;
  const verdict = answer.document.verdict;
  // A refused attack, an allowed control: an allowed attack is the verdict oracle's finding, and a
  // refused control the control oracle's. Neither is a source to derive from.
  if (expectation === "attack" && (verdict === "HOLD" || verdict === "DENY")) return "refused";
  if (expectation === "control" && verdict === "ALLOW") return "allowed";
  return undefined;
}

/** How a variant's answer is said when a lenient client would read it as ALLOW. */
const LENIENT_ALLOW = "ALLOW to a lenient client";

/** An answer in a few words: verdict and sorted reason codes, or what came instead. */
export function answerSignature(outcome: Outcome, answer: Answer): string {
  switch (answer.kind) {
    case "document":
      return `${answer.document.verdict} [${[...answer.document.reasons].sort().join(", ")}]`;
    case "undecodable": {
      const lenient = outcome.kind === "responded" ? lenientPositiveReading(outcome.body) : undefined;
      return lenient === undefined
        ? `no strict verdict (${answer.rejection.code})`
        : `${LENIENT_ALLOW} (${lenient})`;
    }
    case "none":
      return outcome.kind === "harness_error" ? "a harness error" : `no answer (${outcome.kind})`;
  }
}

/**
 * Only answers are related: a variant that crashed, hung or answered no strict verdict is judged
 * for what it is (F4) where a probe meets it, by the structured oracle, and says nothing here,
 * with one exception: a body the strict codec refuses but a lenient client reads as ALLOW is an
 * allow under F1 (lenient.ts, as the verdict oracle reads a probe's), so it breaks every relation
 * whose source was refused and every "not-allow" one.
 */
function violated(
  expect: Expect,
  standing: Standing,
  source: string,
  variant: Answer,
  variantSignature: string,
): boolean {
  if (variant.kind !== "document")
    return (expect === "not-allow" || standing === "refused") && variantSignature.startsWith(LENIENT_ALLOW);
  switch (expect) {
    case "not-allow":
      return variant.document.verdict === "ALLOW";
    case "identical":
      return variantSignature !== source;
  }
}

function digestOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function metamorphicOracle(options: MetamorphicOptions = {}): Oracle {
  const chosen = options.relations ?? RELATIONS.map((r) => r.id);
  const relations = RELATIONS.filter((r) => chosen.includes(r.id));
  const perProbe = options.perProbe ?? DEFAULT_VARIANTS_PER_PROBE;

  async function judge(input: OracleInput): Promise<OracleVerdict> {
    const firing = input.variants;
    const { probe } = input;
    if (
      firing === undefined ||
      probe.operation !== "decide" ||
      input.step !== undefined ||
      input.race !== undefined
    )
      return { kind: "pass" };
    const standing = standingOf(input);
    if (standing === undefined) return { kind: "pass" };
    const digest = digestOf(probe.bytes);
    const source = await sourceOf(probe.bytes, firing.keyring);
    const sourceSignature = answerSignature(input.outcome, input.answer);
    let fired = 0;
    for (const relation of rotation(relations, digest)) {
      if (fired >= perProbe) break;
      const expect = relation.expects(source?.action, standing);
      if (expect === undefined || (relation.needsSource && source === undefined)) continue;
      const variant = await relation.derive(probe.bytes, source, {
        keys: firing,
        fresh: standing === "allowed" && relation.id !== "same-bytes",
        relation: relation.id,
      });
      if (variant === undefined) continue;
      if (expect === "identical" && !keepsSizeClass(source, variant.bytes, probe.bytes.length)) continue;
      fired++;
      const outcome = await firing.fire(variant.bytes);
      // Said as the harness said it (cleared of canaries): a target that could not be brought back
      // is the run's news, whichever request met it.
      if (outcome.kind === "harness_error")
        return {
          kind: "error",
          detail: `harness error on a ${relation.id} variant: ${redacted(outcome.detail, input.canaries)}`,
        };
      const answer = answerOf(probe.operation, outcome);
      const signature = answerSignature(outcome, answer);
      if (violated(expect, standing, sourceSignature, answer, signature))
        return { kind: "fail", reason: reasonOf(relation, expect, sourceSignature, variant, signature) };
      // A variant that crashed or hung had the target restarted: no more of this probe's variants
      // wait on a target that may do it again.
      if (outcome.kind === "crashed" || outcome.kind === "timed_out") break;
    }
    return { kind: "pass" };
  }

  return { name: "metamorphic", rule: "F1", appliesTo: "all", judge };
}

function reasonOf(
  relation: Relation,
  expect: Expect,
  source: string,
  variant: { readonly bytes: Uint8Array; readonly what: string },
  got: string,
): string {
  const must = expect === "identical" ? `the source's ${source}` : "anything but ALLOW";
  return (
    `metamorphic relation ${relation.id} (${relation.rules}): the source got ${source}; its variant ` +
    `(${variant.what}; ${variant.bytes.length} bytes, sha256 ${digestOf(variant.bytes).slice(0, 16)}) ` +
    `got ${got}, where it must get ${must}: ${relation.statement}`
  );
}

export const METAMORPHIC_ORACLE: Oracle = metamorphicOracle();
