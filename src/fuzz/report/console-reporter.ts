import type { EngineEvent, Reporter } from "../events.js";
import type { Report } from "../report-types.js";
import type { Finding } from "../types.js";
import type { CanaryScan } from "./canary.js";
import { RunProgress } from "./console-progress.js";
import { replayCommand } from "./finding-file.js";
import { evaluateGate } from "../release/release-gate.js";
import { formatGate } from "../release/format.js";
import type { GateRequirement } from "../release/types.js";
import { formatDuration, formatRate } from "./numbers.js";
import { printable } from "./printable.js";
import { RELEASE_FAMILIES } from "../release/families.js";
import { colourWanted, painter, styleOfState, type Style } from "./console-colour.js";

export interface ConsoleStream {
  write(text: string): unknown;
  /** A TTY's width; lines are cut to it so the live redraw never wraps (and miscounts). */
  readonly columns?: number;
}

export interface ConsoleReporterOptions {
  readonly stream: ConsoleStream;
  /** Live redrawn status on a terminal; plain lines otherwise (CI logs). */
  readonly isTTY: boolean;
  /** Progress period: plain lines every intervalMs (default 10 s), or redraws (default 250 ms). */
  readonly intervalMs?: number;
  /** Defaults to Date.now; tests pass a fake clock. */
  readonly now?: () => number;
  /** When given, a line holding a planted canary is withheld instead of printed. */
  readonly scan?: CanaryScan;
  /** For the closing pass rate; defaults to the ten RELEASE_FAMILIES. */
  readonly required?: GateRequirement;
  /** Colour the progress and the verdict; default: on a TTY unless NO_COLOR is set. */
  readonly colour?: boolean;
  /**
   * Print the seed line first (default true). The command line prints it on stdout itself, so it
   * turns this off: on a terminal the user would otherwise read the seed twice.
   */
  readonly seedLine?: boolean;
  /** The view of the report the closing pass rate judges (a shard judged on its own share). */
  readonly judged?: (report: Report) => Report;
}

type Event<T extends EngineEvent["type"]> = Extract<EngineEvent, { type: T }>;

/** Ends the live block: cursor up over it, then clear to the end of the screen. */
function erase(lines: number): string {
  return lines === 0 ? "" : `\u001b[${lines}A\u001b[J`;
}

/**
 * Progress on the console. Progress is driven by probe events rather than a timer, so nothing is
 * left running if the run dies without a run-end; a family that stalls still reports when its
 * probe times out. Every line is printable text: target-supplied reasons cannot move the cursor.
 */
export function consoleReporter(options: ConsoleReporterOptions): Reporter {
  const { stream, isTTY } = options;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? (isTTY ? 250 : 10_000);
  const progress = new RunProgress();
  const paint = painter(options.colour ?? colourWanted(isTTY, process.env));
  let drawn = 0;
  let lastTick = 0;

  const safe = (line: string): string => {
    const encoding = options.scan?.(line);
    return encoding === undefined
      ? line
      : `[line withheld: a planted canary (${printable(encoding, 32)}) appeared in it]`;
  };
  const fit = (line: string): string => {
    const width = stream.columns ?? 0;
    return width > 1 && line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
  };
  const familyLine = (id: string): [Style, string] => [
    styleOfState(progress.state(id)),
    `  ${progress.familyLine(id, now())}`,
  ];
  const block = (): Array<[Style, string]> => [
    ["plain", progress.headline(now())],
    ...progress.ids().map(familyLine),
  ];
  const redraw = (): void => {
    if (!isTTY) return;
    const lines = block().map(([style, line]) => paint(style, fit(safe(line))));
    stream.write(`${erase(drawn)}${lines.join("\n")}\n`);
    drawn = lines.length;
    lastTick = now();
  };
  /** A permanent line: above the live block on a terminal, appended in a log. */
  const print = (line: string, style: Style = "plain"): void => {
    const text = paint(style, safe(line));
    if (isTTY) {
      stream.write(`${erase(drawn)}${text}\n`);
      drawn = 0;
      redraw();
    } else stream.write(`${text}\n`);
  };
  const tick = (): void => {
    if (now() - lastTick < intervalMs) return;
    if (isTTY) return redraw();
    lastTick = now();
    stream.write(`${safe(`progress: ${progress.headline(now())}`)}\n`);
    for (const id of progress.running()) {
      const [style, line] = familyLine(id);
      stream.write(`${paint(style, safe(line))}\n`);
    }
  };
  // A finding made over one of the target's transports names it (the reference lane serves three).
  let runTarget: string | undefined;
  const findingLine = (finding: Finding): string =>
    `FINDING ${printable(finding.family, 16)} ${finding.id} (${finding.confirmation}): oracle ${printable(finding.oracle, 40)}, ` +
    (finding.target === runTarget ? "" : `${printable(finding.target, 120)}, `) +
    `rule ${printable(finding.rule, 80)}: ${printable(finding.reason)}` +
    (finding.foundAtMs === undefined ? "" : `; found after ${formatDuration(finding.foundAtMs)}`) +
    `; replay: ${replayCommand(progress.runId, finding)}`;

  return {
    onRunStart(event: Event<"run-start">) {
      runTarget = event.target;
      progress.runStart(event, now());
      lastTick = now();
      // The seed first: if anything below goes wrong, the run can still be repeated exactly.
      if (options.seedLine !== false)
        stream.write(`${safe(`seed ${event.seed} (replay with --seed ${event.seed})`)}\n`);
      const budget = event.budgetMs > 0 ? `, budget ${formatDuration(event.budgetMs)}` : "";
      print(
        `run ${event.runId}: ${event.families.length} families against ${printable(event.target, 120)}${budget}`,
      );
    },
    onFamilyStart(event: Event<"family-start">) {
      progress.familyStart(event, now());
      redraw();
    },
    onProbe(event: Event<"probe">) {
      progress.probe(event);
      tick();
    },
    onFinding(event: Event<"finding">) {
      progress.finding(event);
      print(findingLine(event.finding), "bad");
    },
    onFamilyEnd(event: Event<"family-end">) {
      progress.familyEnd(event, now());
      if (isTTY) redraw();
      else print(progress.familyLine(event.result.family, now()), styleOfState(event.result.status.kind));
    },
    onInterrupted(event: Event<"interrupted">) {
      print(`interrupted by ${printable(event.signal, 16)}: finishing with a partial report`, "warn");
    },
    onRunEnd(event: Event<"run-end">) {
      const { report } = event;
      redraw();
      drawn = 0;
      const gate = evaluateGate(
        [options.judged?.(report) ?? report],
        options.required ?? { families: RELEASE_FAMILIES },
      );
      const lines = [
        `done: ${report.totals.probes} probes in ${formatDuration(report.totals.elapsedMs)} (${formatRate(report.totals.probesPerSecond)} probes/s), ${report.totals.findings} finding(s), canary ${report.canary}${report.interrupted ? ", interrupted (partial report)" : ""}`,
        ...formatGate(gate).trimEnd().split("\n"),
      ];
      // The last line is the gate's verdict (PASS or FAIL: pass rate N/10): the one to see at a glance.
      const verdict: Style = gate.kind === "pass" ? "good" : "bad";
      lines.forEach((line, i) => {
        stream.write(`${paint(i === lines.length - 1 ? verdict : "plain", safe(line))}\n`);
      });
    },
  };
}
