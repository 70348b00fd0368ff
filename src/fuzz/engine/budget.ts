import { FailclosedError } from "../../kernel/errors.js";

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** "90s", "30m", "1h", "500ms" to milliseconds; anything else is a usage error. */
export function parseBudget(text: string): number {
  const match = /^([0-9]{1,7})(ms|s|m|h)$/.exec(text);
  const unit = match?.[2];
  if (match === null || unit === undefined) {
    throw new FailclosedError(
      "USAGE",
      `--budget takes a duration like 90s, 30m or 1h, not ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
  const ms = Number(match[1]) * (UNITS[unit] ?? 0);
  if (ms < 1_000) throw new FailclosedError("USAGE", "--budget must be at least 1s");
  return ms;
}
