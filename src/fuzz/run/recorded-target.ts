import { FailclosedError } from "../../kernel/errors.js";
import type { Finding, FindingEvidence } from "../types.js";
import { sameTarget } from "./target-spec.js";
import type { TargetSpec } from "./types.js";

type Recorded = FindingEvidence["target"];

/** Where a finding was found: its evidence, or for older findings the target's name. */
export function recordedTarget(finding: Finding): Recorded {
  if (finding.evidence !== undefined) return finding.evidence.target;
  if (finding.target.startsWith("http:")) return { kind: "http", url: finding.target.slice("http:".length) };
  if (finding.target.startsWith("child:"))
    return { kind: "child", command: finding.target.slice("child:".length) };
  return { kind: "reference" };
}

function describe(target: Recorded | TargetSpec): string {
  switch (target.kind) {
    case "reference":
      return "the reference lane";
    case "http":
      return target.url;
    case "child":
      return `the child \`${target.command}\``;
  }
}

/**
 * The target a replay fires at: the one the finding records, unless told otherwise (with a
 * warning when that is another target). An external finding never replays on the reference
 * lane: its bytes were sealed with the user's keyring, which the reference lane does not hold,
 * so "fixed" there would mean nothing.
 */
export function replayTarget(
  finding: Finding,
  given: TargetSpec | undefined,
  keyring: readonly string[] | undefined,
  warn: (message: string) => void,
): TargetSpec {
  const recorded = recordedTarget(finding);
  if (given !== undefined) {
    if (given.kind === "reference" && recorded.kind !== "reference") {
      throw new FailclosedError(
        "USAGE",
        `finding ${finding.id} was found on ${describe(recorded)} with its own keyring; the reference lane cannot judge it (replay it at its target)`,
      );
    }
    if (!sameTarget(given, recorded)) {
      warn(`finding ${finding.id} was found on ${describe(recorded)}; replaying it at ${describe(given)}`);
    }
    return given;
  }
  switch (recorded.kind) {
    case "reference":
      return { kind: "reference" };
    case "http":
    case "child":
      if (keyring === undefined || keyring.length === 0) {
        throw new FailclosedError(
          "USAGE",
          `finding ${finding.id} was found on ${describe(recorded)}: give its test keyring with --keyring (the replay command printed with the finding has it)`,
        );
      }
      return recorded.kind === "http"
        ? { kind: "http", url: recorded.url, keyring }
        : { kind: "child", command: recorded.command, keyring };
  }
}
