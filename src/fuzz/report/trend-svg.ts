import { html } from "./html-escape.js";
import { formatRate } from "./numbers.js";
import type { TrendPoint } from "./trend.js";

const WIDTH = 640;
const HEIGHT = 180;
const LEFT = 48;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 28;
const PLOT_W = WIDTH - LEFT - RIGHT;
const PLOT_H = HEIGHT - TOP - BOTTOM;

function num(value: number): string {
  return Number(value.toFixed(1)).toString();
}

/** A tooltip; `value` is this module's own number text, so only the run's fields need escaping. */
function label(point: TrendPoint, value: string): string {
  return `<title>${html(point.runId)} (${html(point.startedAt)}): ${value}</title>`;
}

/** Axes, the y range's two ends and the first and last run dates: enough to read a trend. */
function frame(top: string, points: readonly TrendPoint[], title: string): string[] {
  const first = points[0]?.startedAt.slice(0, 10) ?? "";
  const last = points[points.length - 1]?.startedAt.slice(0, 10) ?? "";
  return [
    // No xmlns: inline SVG in HTML needs none, and the file then names no URL at all.
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${html(title)}">`,
    `<line class="axis" x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + PLOT_H}"/>`,
    `<line class="axis" x1="${LEFT}" y1="${TOP + PLOT_H}" x2="${LEFT + PLOT_W}" y2="${TOP + PLOT_H}"/>`,
    `<text class="tick" x="${LEFT - 6}" y="${TOP + 4}" text-anchor="end">${html(top)}</text>`,
    `<text class="tick" x="${LEFT - 6}" y="${TOP + PLOT_H}" text-anchor="end">0</text>`,
    `<text class="tick" x="${LEFT}" y="${HEIGHT - 8}">${html(first)}</text>`,
    `<text class="tick" x="${LEFT + PLOT_W}" y="${HEIGHT - 8}" text-anchor="end">${html(last)}</text>`,
  ];
}

/** Bars of required families closed per run (N of 10), green only at the full count. */
export function passRateChart(points: readonly TrendPoint[]): string {
  const required = Math.max(1, ...points.map((point) => point.required));
  const slot = PLOT_W / Math.max(1, points.length);
  const bars = points.map((point, i) => {
    const h = (point.closed / required) * PLOT_H;
    const cls = `bar ${point.closed >= point.required ? "full" : "short"}${point.current ? " current" : ""}`;
    const x = LEFT + i * slot + slot * 0.15;
    return `<rect class="${cls}" x="${num(x)}" y="${num(TOP + PLOT_H - h)}" width="${num(slot * 0.7)}" height="${num(Math.max(h, 1))}">${label(point, `${point.closed}/${point.required}`)}</rect>`;
  });
  return [...frame(`${required}`, points, "pass rate per run"), ...bars, "</svg>"].join("\n");
}

/** A line of probes per second per run, scaled to the fastest run shown. */
export function rateChart(points: readonly TrendPoint[]): string {
  const max = Math.max(1, ...points.map((point) => point.probesPerSecond));
  const slot = PLOT_W / Math.max(1, points.length);
  const xy = points.map((point, i) => ({
    point,
    x: LEFT + i * slot + slot / 2,
    y: TOP + PLOT_H - (point.probesPerSecond / max) * PLOT_H,
  }));
  const line = `<polyline class="line" points="${xy.map(({ x, y }) => `${num(x)},${num(y)}`).join(" ")}"/>`;
  const dots = xy.map(
    ({ point, x, y }) =>
      `<circle class="dot${point.current ? " current" : ""}" cx="${num(x)}" cy="${num(y)}" r="3.5">${label(point, `${formatRate(point.probesPerSecond)} probes/s`)}</circle>`,
  );
  return [...frame(formatRate(max), points, "probes per second per run"), line, ...dots, "</svg>"].join("\n");
}
