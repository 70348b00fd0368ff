/**
 * F4, every probe: the answer is a verdict document of the right kind, in time, with the status T2
 * gives it. A crash, a hang, a 5xx or a bare stack trace (in the body, or in what the component
 * printed) is a finding even when nothing was allowed.
 */
import type { Oracle, OracleInput, OracleVerdict } from "../types.js";
import { answerKind } from "./answer.js";
import { scannerFor } from "./scanner-cache.js";
import { allowedStatuses } from "./t2-status.js";

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;
const MAX_DETAIL = 120;

function looksLikeStackTrace(body: Uint8Array): boolean {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1");
  return STACK_FRAME.test(text) || text.includes("Error:");
}

/** The crash detail's first line, for triage, unless it carries a canary (then withheld). */
function crashSummary(detail: string, canaries: readonly string[]): string {
  const first = (detail.split("\n")[0] ?? "").slice(0, MAX_DETAIL);
  if (canaries.length === 0) return "detail withheld: no canaries to check it against";
  return scannerFor(canaries)(detail) === undefined ? first : "detail withheld: it holds canary material";
}

function judgeSync(input: OracleInput): OracleVerdict {
  const { outcome, probe, answer } = input;
  switch (outcome.kind) {
    case "harness_error":
      return { kind: "error", detail: "harness error: no answer to judge" };
    case "timed_out":
      return { kind: "fail", reason: `hang: no answer within ${Math.round(outcome.elapsedMs)} ms` };
    case "crashed":
      return { kind: "fail", reason: `crashed (${crashSummary(outcome.detail, input.canaries)})` };
    case "responded": {
      if (outcome.status !== undefined && outcome.status >= 500)
        return { kind: "fail", reason: `HTTP ${outcome.status}` };
      if (looksLikeStackTrace(outcome.body)) return { kind: "fail", reason: "bare stack trace in the body" };
      // What the component printed while it answered (a child's stderr, the reference lane's
      // console under a fault drill): a refusal that prints its stack has still not been handled.
      // Frames only: a printed "Error:" line with a stable code is how a clean error reads.
      for (const [label, text] of [
        ["stderr", outcome.channels.stderr],
        ["stdout", outcome.channels.stdout],
      ] as const)
        if (STACK_FRAME.test(text))
          return { kind: "fail", reason: `stack trace in what it printed (${label})` };
      const kind = answerKind(probe.operation);
      if (answer.kind === "none") return { kind: "error", detail: "a response without its decoded answer" };
      if (answer.kind === "undecodable") {
        // The codec's code and rule only: a rejection never carries input bytes (G7).
        return {
          kind: "fail",
          reason: `unstructured answer: not a strict ${kind} document (${answer.rejection.code}, ${answer.rejection.rule})`,
        };
      }
      if (outcome.status === undefined) return { kind: "pass" };
      const allowed = allowedStatuses(answer.document);
      return allowed.includes(outcome.status)
        ? { kind: "pass" }
        : {
            kind: "fail",
            reason: `HTTP ${outcome.status} for ${answer.document.verdict} (T2 wants ${allowed.join(" or ")})`,
          };
    }
  }
}

export const structuredOracle: Oracle = {
  name: "structured",
  rule: "F4",
  appliesTo: "all",
  judge: (input) => Promise.resolve(judgeSync(input)),
};
