/**
 * Whether a flaw's run found it: a confirmed finding of one of its families, by one of the oracles
 * the catalogue names, showing what the entry says it must. Anything else is not finding it, and
 * says why: a fuzzer that trips over something else has not shown it can see this flaw.
 */
import type { Report } from "../report-types.js";
import type { Flaw } from "./flaw.js";
import type { FlawResult } from "./results.js";

export function judgeFlawRun(flaw: Flaw, report: Report): FlawResult {
  const probes = report.totals.probes;
  const findings = report.families.flatMap((family) => family.findings);
  const match = findings.find(
    (finding) =>
      finding.confirmation === "confirmed" &&
      flaw.families.includes(finding.family) &&
      (flaw.oracles as readonly string[]).includes(finding.oracle) &&
      // `shows` is what the failing probe must show; a metamorphic finding is its variant's, and the
      // entry names that oracle only where one of its relations reaches this very flaw.
      (flaw.shows === undefined ||
        finding.oracle === "metamorphic" ||
        flaw.shows.test(`${finding.description}\n${finding.rule}`)),
  );
  if (match !== undefined)
    return {
      kind: "found",
      family: match.family,
      oracle: match.oracle,
      rule: match.rule.slice(0, 4000),
      detectedMs: match.foundAtMs ?? report.totals.elapsedMs,
      probes,
    };
  const why = report.families.map((family) => {
    switch (family.status.kind) {
      case "closed":
        return `${family.family} closed after ${family.runs} runs`;
      case "inconclusive":
        return `${family.family} inconclusive: ${family.status.why}`;
      case "finding": {
        const first = family.findings[0];
        return `${family.family} found something else: ${first?.confirmation ?? "no"} ${first?.oracle ?? ""} finding (${first?.rule ?? ""})`;
      }
    }
  });
  return { kind: "missed", why: why.join("; ").slice(0, 4000), probes };
}
