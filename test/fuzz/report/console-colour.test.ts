/**
 * Colour on a terminal for the progress and the verdict, and none when NO_COLOR is set or the
 * output is not a terminal: a CI log or a file must hold plain text.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { consoleReporter } from "../../../src/fuzz/report/index.js";
import { colourWanted, painter } from "../../../src/fuzz/report/console-colour.js";
import { family, finding, report, runStart, withFamily } from "./fixtures.js";

// eslint-disable-next-line no-control-regex -- SGR colour codes are what is looked for.
const SGR = /\u001b\[[0-9;]*m/;
const GREEN = "\u001b[32m";
const RED = "\u001b[1;31m";
const RESET = "\u001b[0m";

async function drive(options: { isTTY: boolean; colour?: boolean; failing?: boolean }): Promise<string> {
  const writes: string[] = [];
  const reporter = consoleReporter({
    stream: { write: (text: string) => writes.push(text), columns: 200 },
    isTTY: options.isTTY,
    ...(options.colour === undefined ? {} : { colour: options.colour }),
    now: () => 1_000_000,
  });
  await reporter.onRunStart?.(runStart());
  await reporter.onFamilyStart?.({ type: "family-start", family: "P01", seed: 7, minRuns: 5 });
  await reporter.onFinding?.({ type: "finding", finding: finding({ family: "P01", id: "P01-abc" }) });
  const p01 = options.failing
    ? family("P01", { status: { kind: "finding" }, findings: [finding()] })
    : family("P01");
  await reporter.onFamilyEnd?.({ type: "family-end", result: p01 });
  const final = options.failing ? withFamily(report(), p01) : report();
  await reporter.onRunEnd?.({ type: "run-end", report: final });
  return writes.join("");
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("colour on the console", () => {
  it("on a terminal: the verdict green on PASS, red on FAIL, findings red, families by state (must fire)", async () => {
    const pass = await drive({ isTTY: true, colour: true });
    expect(pass).toContain(`${GREEN}PASS: pass rate 10/10${RESET}\n`);
    expect(pass).toContain(`${RED}FINDING P01 P01-abc`);
    expect(pass).toContain(`${GREEN}  P01 family-p01: closed`);
    const fail = await drive({ isTTY: true, colour: true, failing: true });
    expect(fail).toContain(`${RED}FAIL: pass rate 9/10: 1 problem(s) above${RESET}\n`);
    expect(fail).toContain(`${RED}  P01 family-p01: FINDING`);
  });

  it("in a log: no escape code at all, whatever else is set (must stay quiet)", async () => {
    const text = await drive({ isTTY: false });
    expect(text).not.toMatch(SGR);
    expect(text).toContain("PASS: pass rate 10/10\n");
  });

  it("NO_COLOR turns it off on a terminal; the default follows the environment", async () => {
    vi.stubEnv("NO_COLOR", "1");
    expect(await drive({ isTTY: true })).not.toMatch(SGR);
    vi.stubEnv("NO_COLOR", "");
    expect(await drive({ isTTY: true })).toMatch(SGR);
  });

  it("colourWanted: only a terminal with NO_COLOR unset or empty", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.option(fc.string(), { nil: undefined }), (isTTY, noColor) => {
        const want = colourWanted(isTTY, { NO_COLOR: noColor });
        expect(want).toBe(isTTY && (noColor === undefined || noColor === ""));
      }),
    );
  });

  it("painting off returns the text unchanged; on, it wraps the whole line and resets", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (text) => {
        expect(painter(false)("bad", text)).toBe(text);
        expect(painter(true)("bad", text)).toBe(`${RED}${text}${RESET}`);
        expect(painter(true)("plain", text)).toBe(text);
      }),
    );
  });
});
