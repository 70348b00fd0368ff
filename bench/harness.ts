/**
 * Benchmarks report ratios, never bare times: each subject is measured beside its bare limit
 * (the same work done without failclosed's checks) in the same process and run, alternating
 * rounds so that machine noise hits both alike.
 */
export interface BenchCase {
  readonly name: string;
  /** One operation; may be async. */
  readonly fn: () => unknown;
}

export interface BenchPair {
  readonly group: string;
  readonly subject: BenchCase;
  readonly limit: BenchCase;
  /** Operations per round; pick so a round lasts tens of milliseconds. */
  readonly opsPerRound: number;
  readonly rounds?: number;
  /** When one op is a batch (400 probes), rates are reported per unit of it. */
  readonly unitsPerOp?: number;
  /** The ratio an issue asks of this row, printed beside it (met or not). */
  readonly goal?: number;
}

export interface BenchRow {
  readonly group: string;
  readonly subject: string;
  readonly limit: string;
  readonly subjectOpsPerSec: number;
  readonly limitOpsPerSec: number;
  /** subject rate divided by limit rate: 1.0 means no overhead over the bare limit. */
  readonly ratio: number;
  readonly goal?: number;
}

async function timeRound(c: BenchCase, ops: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    const r = c.fn();
    if (r instanceof Promise) await r;
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function measurePair(pair: BenchPair): Promise<BenchRow> {
  const rounds = pair.rounds ?? 7;
  // Warm-up lets the JIT settle on both before anything is counted.
  await timeRound(pair.subject, Math.max(1, Math.floor(pair.opsPerRound / 4)));
  await timeRound(pair.limit, Math.max(1, Math.floor(pair.opsPerRound / 4)));
  const subjectRates: number[] = [];
  const limitRates: number[] = [];
  for (let i = 0; i < rounds; i++) {
    subjectRates.push(pair.opsPerRound / (await timeRound(pair.subject, pair.opsPerRound)));
    limitRates.push(pair.opsPerRound / (await timeRound(pair.limit, pair.opsPerRound)));
  }
  const units = pair.unitsPerOp ?? 1;
  const subjectOpsPerSec = median(subjectRates) * units;
  const limitOpsPerSec = median(limitRates) * units;
  return {
    group: pair.group,
    subject: pair.subject.name,
    limit: pair.limit.name,
    subjectOpsPerSec,
    limitOpsPerSec,
    ratio: subjectOpsPerSec / limitOpsPerSec,
    ...(pair.goal === undefined ? {} : { goal: pair.goal }),
  };
}

export function formatRows(rows: readonly BenchRow[]): string {
  const lines = [
    "| group | subject | ops/s | bare limit | ops/s | ratio | goal |",
    "|---|---|---:|---|---:|---:|---:|",
  ];
  for (const r of rows) {
    const goal = r.goal === undefined ? "–" : `${r.goal} ${r.ratio >= r.goal ? "met" : "**not met**"}`;
    lines.push(
      `| ${r.group} | ${r.subject} | ${Math.round(r.subjectOpsPerSec).toLocaleString("en-US")} | ${r.limit} | ${Math.round(r.limitOpsPerSec).toLocaleString("en-US")} | ${r.ratio.toFixed(3)} | ${goal} |`,
    );
  }
  return lines.join("\n");
}

/** A bench module exports `suite`: named groups of pairs, run by bench/run.ts. */
export interface BenchSuite {
  readonly name: string;
  pairs(): Promise<BenchPair[]>;
  teardown?(): Promise<void>;
}
