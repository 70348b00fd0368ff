/**
 * failclosed/vitest: "this gate fails closed" in a user's own test suite.
 *
 *   import { itFailsClosed } from "failclosed/vitest";
 *   itFailsClosed("our gate fails closed", { http: "http://127.0.0.1:8080", keyring: ["test-keys.jwks.json"] });
 *
 * Like fast-check's `assert` over `check`: assertFailsClosed runs the fuzzer (runFailclosed) and
 * throws when the run is anything but every family closed, with the seed, the findings and the
 * replay command of each in the message; itFailsClosed registers it as one vitest test.
 */
import { join } from "node:path";
import { it } from "vitest";
import { findingFileName } from "../fuzz/report/finding-file.js";
import type { Report } from "../fuzz/report-types.js";
import { reportExitCode, runFailclosed, type RunOptions, type TargetSpec } from "../fuzz/run/index.js";
import { type GateHandler, serveHandler } from "./handler-server.js";

export type { GateHandler } from "./handler-server.js";

/** The gate under test: over HTTP (T2), as a child speaking JSON lines (T3), or a handler in this process. */
export type FailsClosedTarget =
  | { readonly http: string; readonly keyring: readonly string[] }
  | { readonly command: string; readonly keyring: readonly string[] }
  | { readonly handler: GateHandler; readonly keyring: readonly string[] }
  /** The reference gate and lane that ship with failclosed. */
  | { readonly reference: true };

export type FailsClosedOptions = Omit<RunOptions, "target" | "console" | "onStart">;

/** The run did not show the gate fails closed; the message says why and how to replay. */
export class NotFailClosedError extends Error {
  override readonly name = "NotFailClosedError";
  constructor(
    message: string,
    readonly seed: number | undefined,
    readonly report: Report | undefined,
  ) {
    super(message);
  }
}

function problemLines(report: Report, reportDir: string): string[] {
  const lines: string[] = [];
  for (const family of report.families) {
    for (const finding of family.findings) {
      lines.push(
        `  ${family.family} ${family.name}: finding ${finding.id} (oracle ${finding.oracle}, ${finding.rule}): ${finding.reason}`,
        `    probe: ${finding.description}`,
        `    replay: failclosed replay ${join(reportDir, findingFileName(finding.id))}`,
      );
    }
    if (family.status.kind === "inconclusive")
      lines.push(`  ${family.family} ${family.name}: inconclusive: ${family.status.why}`);
  }
  if (report.canary === "hit") lines.push("  a planted canary appeared in failclosed's own output");
  if (report.interrupted) lines.push("  the run was interrupted: the report is partial");
  return lines;
}

async function specFor(target: FailsClosedTarget): Promise<{ spec: TargetSpec; close: () => Promise<void> }> {
  if ("reference" in target) return { spec: { kind: "reference" }, close: () => Promise.resolve() };
  if ("http" in target)
    return {
      spec: { kind: "http", url: target.http, keyring: target.keyring },
      close: () => Promise.resolve(),
    };
  if ("command" in target)
    return {
      spec: { kind: "child", command: target.command, keyring: target.keyring },
      close: () => Promise.resolve(),
    };
  const running = await serveHandler(target.handler);
  return { spec: { kind: "http", url: running.url, keyring: target.keyring }, close: () => running.close() };
}

/** Runs the fuzzer at the target; resolves with the report when every family closed, else throws NotFailClosedError. */
export async function assertFailsClosed(
  target: FailsClosedTarget,
  options: FailsClosedOptions = {},
): Promise<Report> {
  const { spec, close } = await specFor(target);
  let seed: number | undefined;
  try {
    const result = await runFailclosed({ ...options, target: spec, onStart: (start) => (seed = start.seed) });
    const again = seed === undefined ? "" : ` (run it again with seed ${seed})`;
    switch (result.kind) {
      case "target-down":
        throw new NotFailClosedError(
          `the gate could not be judged: ${result.target} never answered: ${result.detail}`,
          seed,
          undefined,
        );
      case "canary-in-output":
        throw new NotFailClosedError(
          `key material leaked: a planted canary appeared in failclosed's output${again}`,
          seed,
          undefined,
        );
      case "report": {
        const { report, reportDir } = result;
        if (reportExitCode(report) === 0) return report;
        throw new NotFailClosedError(
          [
            `the gate does not fail closed: seed ${report.seed}${again}, report ${reportDir}`,
            ...problemLines(report, reportDir),
          ].join("\n"),
          report.seed,
          report,
        );
      }
    }
  } finally {
    await close();
  }
}

/** Registers one vitest test that passes only when the gate fails closed (timeout default 10 minutes). */
export function itFailsClosed(
  name: string,
  target: FailsClosedTarget | (() => FailsClosedTarget),
  options: FailsClosedOptions & { readonly testTimeoutMs?: number } = {},
): void {
  const { testTimeoutMs, ...run } = options;
  it(
    name,
    async () => {
      await assertFailsClosed(typeof target === "function" ? target() : target, run);
    },
    testTimeoutMs ?? 600_000,
  );
}
