import { join } from "node:path";
import type { Reporter } from "../events.js";
import type { CanaryScan } from "../report/canary.js";
import {
  decodeSeals,
  fingerprintKeyring,
  pathFrom,
  recordAnswer,
  replayLines,
  shellWord,
} from "../report/finding-evidence.js";
import { findingFileName } from "../report/finding-file.js";
import type { Report } from "../report-types.js";
import type { AnswerLog } from "../targets/answer-log.js";
import type { Finding, FindingEvidence } from "../types.js";
import { withTransport } from "./finding-transport.js";
import type { TargetSpec } from "./types.js";

export interface EvidenceSources {
  readonly spec: TargetSpec;
  readonly answers: AnswerLog;
  /** The keyring under test's JWK sets, once the run has made or read it. */
  readonly jwkSets: () => readonly unknown[];
  readonly scan: CanaryScan;
  readonly reportDir: string;
  readonly cwd: string;
  readonly program: string;
  /** The run's clone hook: a P07 finding's replay needs it too. */
  readonly cloneCmd?: string;
}

export function recordedTarget(spec: TargetSpec): FindingEvidence["target"] {
  switch (spec.kind) {
    case "reference":
      return { kind: "reference" };
    case "http":
      return { kind: "http", url: spec.url };
    case "child":
      return { kind: "child", command: spec.command };
  }
}

/**
 * Adds each finding's evidence once (memoised by id: the answer log keeps only recent answers,
 * and every reporter must see the same record).
 */
export function findingEnricher(sources: EvidenceSources): (finding: Finding) => Promise<Finding> {
  const done = new Map<string, Finding>();
  return async (finding) => {
    const known = done.get(finding.id);
    if (known !== undefined) return known;
    const bytes = Buffer.from(finding.bytesB64, "base64");
    const answer = sources.answers.answerTo(bytes);
    const target = recordedTarget(sources.spec);
    const replay = replayLines({
      program: sources.program,
      findingPath: pathFrom(sources.cwd, join(sources.reportDir, findingFileName(finding.id))),
      target,
      keyring:
        sources.spec.kind === "reference" ? [] : sources.spec.keyring.map((k) => pathFrom(sources.cwd, k)),
      operation: finding.operation,
      bytesB64: finding.bytesB64,
      plainProbe:
        finding.steps === undefined && finding.cloneSetup === undefined && finding.fault === undefined,
    });
    const hook = finding.cloneSetup === undefined ? undefined : sources.cloneCmd;
    const evidence: FindingEvidence = {
      target,
      keyring: await fingerprintKeyring(sources.jwkSets()),
      ...(answer === undefined ? {} : { answer: recordAnswer(answer, sources.scan) }),
      seals: decodeSeals(bytes, sources.scan),
      replay:
        hook === undefined
          ? replay
          : { ...replay, command: `${replay.command} --clone-cmd ${shellWord(hook)}` },
    };
    // The reference lane over its three transports: the finding says which carried it.
    const located =
      sources.spec.kind === "reference" && sources.spec.inProcessOnly !== true
        ? withTransport(finding)
        : finding;
    const enriched = { ...located, evidence };
    done.set(finding.id, enriched);
    return enriched;
  };
}

export async function enrichReport(
  report: Report,
  enrich: (f: Finding) => Promise<Finding>,
): Promise<Report> {
  const families = [];
  for (const result of report.families) {
    const findings = [];
    for (const finding of result.findings) findings.push(await enrich(finding));
    families.push({ ...result, findings });
  }
  return { ...report, families };
}

/** Reporters that see every finding with its evidence, in the run-end report too. */
export function enrichingReporters(
  inner: readonly Reporter[],
  enrich: (f: Finding) => Promise<Finding>,
  complete: (report: Report) => Report = (report) => report,
): Reporter {
  return {
    onRunStart: async (event) => {
      for (const r of inner) await r.onRunStart?.(event);
    },
    onFamilyStart: async (event) => {
      for (const r of inner) await r.onFamilyStart?.(event);
    },
    onProbe: async (event) => {
      for (const r of inner) await r.onProbe?.(event);
    },
    onFinding: async (event) => {
      const finding = await enrich(event.finding);
      for (const r of inner) await r.onFinding?.({ ...event, finding });
    },
    onFamilyEnd: async (event) => {
      const findings = [];
      for (const finding of event.result.findings) findings.push(await enrich(finding));
      for (const r of inner) await r.onFamilyEnd?.({ ...event, result: { ...event.result, findings } });
    },
    onInterrupted: async (event) => {
      for (const r of inner) await r.onInterrupted?.(event);
    },
    onRunEnd: async (event) => {
      const report = await enrichReport(complete(event.report), enrich);
      for (const r of inner) await r.onRunEnd?.({ ...event, report });
    },
  };
}
