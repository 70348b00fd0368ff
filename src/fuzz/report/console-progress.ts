import type { EngineEvent } from "../events.js";
import type { FamilyStatus, ProbeRole } from "../types.js";
import { formatDuration, formatRate, perSecond } from "./numbers.js";
import { printable } from "./printable.js";

type Event<T extends EngineEvent["type"]> = Extract<EngineEvent, { type: T }>;

interface FamilyProgress {
  readonly id: string;
  name: string;
  role: ProbeRole;
  minRuns: number;
  runs: number;
  probes: number;
  findings: number;
  startedAt?: number;
  endedAt?: number;
  firstProbeMs?: number;
  state: "waiting" | "running" | FamilyStatus["kind"];
}

/**
 * What the console shows, folded from the event stream. The clock is passed in, so tests drive
 * it; rates are probes over the family's own wall time so far.
 */
export class RunProgress {
  runId = "";
  seed = 0;
  target = "";
  budgetMs = 0;
  startedAt = 0;
  private readonly families = new Map<string, FamilyProgress>();

  private family(id: string): FamilyProgress {
    let family = this.families.get(id);
    if (family === undefined) {
      family = {
        id,
        name: "",
        role: "attack",
        minRuns: 0,
        runs: 0,
        probes: 0,
        findings: 0,
        state: "waiting",
      };
      this.families.set(id, family);
    }
    return family;
  }

  runStart(event: Event<"run-start">, now: number): void {
    this.runId = event.runId;
    this.seed = event.seed;
    this.target = event.target;
    this.budgetMs = event.budgetMs;
    this.startedAt = now;
    for (const { id, role } of event.families) this.family(id).role = role;
  }

  familyStart(event: Event<"family-start">, now: number): void {
    const family = this.family(event.family);
    family.minRuns = event.minRuns;
    family.startedAt = now;
    family.state = "running";
  }

  probe(event: Event<"probe">): void {
    const family = this.family(event.family);
    family.probes++;
    family.runs = Math.max(family.runs, event.runs);
  }

  finding(event: Event<"finding">): void {
    this.family(event.finding.family).findings++;
  }

  familyEnd(event: Event<"family-end">, now: number): void {
    const { result } = event;
    const family = this.family(result.family);
    family.name = result.name;
    family.role = result.role;
    family.minRuns = result.minRuns;
    family.runs = result.runs;
    family.probes = result.probes;
    family.findings = result.findings.length;
    family.endedAt = now;
    if (result.firstProbeMs !== undefined) family.firstProbeMs = result.firstProbeMs;
    family.state = result.status.kind;
  }

  private rate(family: FamilyProgress, now: number): string {
    if (family.startedAt === undefined) return "-";
    return formatRate(perSecond(family.probes, (family.endedAt ?? now) - family.startedAt));
  }

  familyLine(id: string, now: number): string {
    const family = this.family(id);
    const label = `${printable(family.id, 16)}${family.name === "" ? "" : ` ${printable(family.name, 28)}`}`;
    const role = family.role === "control" ? " (control)" : "";
    if (family.state === "waiting") return `${label}${role}: waiting`;
    const state =
      family.state === "running" || family.state === "closed" ? family.state : family.state.toUpperCase();
    const elapsed = formatDuration((family.endedAt ?? now) - (family.startedAt ?? now));
    const first =
      family.firstProbeMs === undefined ? "" : `, first probe at ${formatDuration(family.firstProbeMs)}`;
    return `${label}${role}: ${state}, ${family.runs}/${family.minRuns} runs, ${this.rate(family, now)} probes/s, ${family.findings} finding(s), ${elapsed}${first}`;
  }

  /** The run's line: families done, totals and the budget beyond the minimum runs. */
  headline(now: number): string {
    const all = [...this.families.values()];
    const done = all.filter((family) => family.state !== "waiting" && family.state !== "running").length;
    const probes = all.reduce((sum, family) => sum + family.probes, 0);
    const findings = all.reduce((sum, family) => sum + family.findings, 0);
    const elapsed = now - this.startedAt;
    // Minimum runs are completed whatever the budget: once it is spent, say so rather than count
    // down to a misleading "0 ms left" while families keep firing.
    const left =
      this.budgetMs <= 0
        ? ""
        : elapsed < this.budgetMs
          ? `, ${formatDuration(this.budgetMs - elapsed)} of budget left`
          : done < all.length
            ? ", budget spent: completing the minimum runs"
            : "";
    return `${done}/${all.length} families done, ${probes} probes, ${formatRate(perSecond(probes, elapsed))} probes/s, ${findings} finding(s), ${formatDuration(elapsed)} elapsed${left}`;
  }

  /** A family's state, for the console's colour. */
  state(id: string): FamilyProgress["state"] {
    return this.family(id).state;
  }

  ids(): string[] {
    return [...this.families.keys()];
  }

  running(): string[] {
    return [...this.families.values()]
      .filter((family) => family.state === "running")
      .map((family) => family.id);
  }
}
