/**
 * Time on a run (docs/operating.md, "Budget and hard limit"). Every family's minimum runs are a
 * floor the run completes whatever the budget; the budget only bounds runs beyond the floor; the
 * hard limit is the one clock that can stop a floor short, and is generous so that only a machine
 * far too slow for the run reaches it. Both count from the first probe: start-up is not counted.
 */
import { FailclosedError } from "../../kernel/errors.js";

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The flag that raises the hard limit, named in the reason of a family it cut short. */
export const HARD_LIMIT_FLAG = "--hard-limit";

/** The hard limit unless given: 30 minutes, or twice the budget when that is longer. */
export function defaultHardLimitMs(budgetMs: number): number {
  return Math.max(30 * 60_000, 2 * budgetMs);
}

/** A duration flag ("90s", "30m", "1h", "500ms", at least 1 s) in milliseconds, or a usage error naming the flag. */
export function parseDuration(text: string, flag: string): number {
  const match = /^([0-9]{1,7})(ms|s|m|h)$/.exec(text);
  const unit = match?.[2];
  if (match === null || unit === undefined) {
    throw new FailclosedError(
      "USAGE",
      `${flag} takes a duration like 90s, 30m or 1h, not ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
  const ms = Number(match[1]) * (UNITS[unit] ?? 0);
  if (ms < 1_000) throw new FailclosedError("USAGE", `${flag} must be at least 1s`);
  return ms;
}

/** "90s", "30m", "1h", "500ms" to milliseconds; anything else is a usage error. */
export function parseBudget(text: string): number {
  return parseDuration(text, "--budget");
}

/** --hard-limit: a duration, at least the budget (a limit below it would make the budget a lie). */
export function parseHardLimit(text: string | undefined, budgetMs: number): number {
  if (text === undefined) return defaultHardLimitMs(budgetMs);
  const ms = parseDuration(text, HARD_LIMIT_FLAG);
  if (ms < budgetMs)
    throw new FailclosedError(
      "USAGE",
      `${HARD_LIMIT_FLAG} must be at least the budget (${formatLimit(budgetMs)})`,
    );
  return ms;
}

/** A limit as a user would write it back: "30m", "1h", "90s", "1500ms". */
export function formatLimit(ms: number): string {
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
