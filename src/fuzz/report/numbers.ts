/**
 * Number formatting shared by every writer. Locale-free on purpose: reports must read the same on
 * every machine and in every CI log, and tests compare them byte for byte.
 */

/** Probes per second, or 0 when no time passed (a family cut off before its first probe). */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

/** "12", "3.4", "0.05": whole numbers above 100, a few significant digits below. */
export function formatRate(rate: number): string {
  if (!Number.isFinite(rate) || rate <= 0) return "0";
  if (rate >= 100) return Math.round(rate).toString();
  return Number(rate.toPrecision(2)).toString();
}

/** "850 ms", "12.3 s", "4 m 05 s", "1 h 02 m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.floor(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} m ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")} m`;
}
