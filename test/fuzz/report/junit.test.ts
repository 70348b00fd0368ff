import { describe, expect, it } from "vitest";
import { renderJunit } from "../../../src/fuzz/report/index.js";
import { family, finding, report, withFamily } from "./fixtures.js";
import { xmlProblems } from "./xml-check.js";

const NASTY =
  "a <tag> & \"quote\" 'apos' ]]> end \u0000 \u0007 \u001b[31m \ud800 \ufffe 😀 tab\there\nnew line";

function suite(xml: string, name: string): string {
  const start = xml.indexOf(`<testsuite name="${name}`);
  expect(start, name).toBeGreaterThan(-1);
  return xml.slice(start, xml.indexOf("</testsuite>", start));
}

describe("junit.xml", () => {
  it("is well-formed, with one suite per family plus the run's own suite", () => {
    const xml = renderJunit(report());
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml.match(/<testsuite /g)).toHaveLength(12);
    expect(xml).toContain(
      '<testsuites name="failclosed 20251124T031500Z-a1b2c3" tests="13" failures="0" errors="0"',
    );
    expect(suite(xml, "P01 family-p01")).toContain(
      '<testcase classname="failclosed.P01" name="closed" time="2.000"/>',
    );
    expect(suite(xml, "C-GATE")).toContain('name="control holds"');
    expect(suite(xml, "P01")).toContain('<property name="seed" value="42"/>');
  });

  it("a finding is a failure carrying its reason and replay command", () => {
    const xml = renderJunit(
      withFamily(report(), family("P02", { status: { kind: "finding" }, findings: [finding()] })),
    );
    expect(xmlProblems(xml)).toEqual([]);
    const p02 = suite(xml, "P02");
    expect(p02).toContain('failures="1" errors="0"');
    expect(p02).toContain(
      '<failure type="finding" message="1 finding(s): verdict was ALLOW for a probe that breaks S3">',
    );
    expect(p02).toContain(
      "replay: failclosed replay reports/20251124T031500Z-a1b2c3/findings/P02-0123456789abcdef.json",
    );
  });

  it("inconclusive and too few runs are errors, for attacks and controls alike", () => {
    let r = withFamily(
      report(),
      family("P03", { status: { kind: "inconclusive", why: "target unreachable" } }),
    );
    r = withFamily(r, family("P04", { runs: 10 }));
    r = withFamily(r, family("C-GATE", { status: { kind: "inconclusive", why: "oracle threw" } }));
    const xml = renderJunit(r);
    expect(xmlProblems(xml)).toEqual([]);
    expect(suite(xml, "P03")).toContain('<error type="inconclusive" message="target unreachable"/>');
    expect(suite(xml, "P04")).toContain('<error type="too-few-runs" message="10 of 500 runs"/>');
    expect(suite(xml, "C-GATE")).toContain('<error type="inconclusive" message="oracle threw"/>');
    expect(xml).toContain('tests="13" failures="0" errors="3"');
  });

  it("a canary hit fails the run suite; an interruption is an error there", () => {
    const xml = renderJunit(report({ canary: "hit", interrupted: true }));
    const run = suite(xml, "failclosed run");
    expect(run).toContain('<failure type="canary"');
    expect(run).toContain('<error type="interrupted"');
  });

  it("escapes nasty strings in attributes and text and stays well-formed", () => {
    const nasty = finding({ reason: NASTY, description: NASTY, oracle: NASTY });
    const r = withFamily(
      report({ target: NASTY }),
      family("P02", { name: NASTY, status: { kind: "finding" }, findings: [nasty] }),
    );
    const xml = renderJunit(withFamily(r, family("P05", { status: { kind: "inconclusive", why: NASTY } })));
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).not.toContain("]]>");
    expect(xml).not.toContain("\u0000");
    expect(xml).not.toContain("\u001b");
    expect(xml).toContain("\\u0000");
    expect(xml).toContain("\\ud800");
    expect(xml).toContain("😀");
    expect(xml).toContain("a &lt;tag&gt; &amp; &quot;quote&quot; &apos;apos&apos; ]]&gt; end");
    expect(xml).toContain("tab&#9;here&#10;new line");
    // In element text a line break stays a line break.
    expect(xml).toMatch(/reason: a &lt;tag&gt;.*tab\there\nnew line/);
  });

  it("the checker itself catches broken XML", () => {
    const ok = '<?xml version="1.0" encoding="UTF-8"?>\n<a x="1"><b/></a>\n';
    expect(xmlProblems(ok)).toEqual([]);
    expect(xmlProblems(ok.replace("<b/>", "<b>"))).not.toEqual([]);
    expect(xmlProblems(ok.replace("<b/>", "a & b"))).not.toEqual([]);
    expect(xmlProblems(ok.replace("<b/>", "\u0001"))).not.toEqual([]);
    expect(xmlProblems(ok.replace('x="1"', 'x="1" x="2"'))).not.toEqual([]);
    expect(xmlProblems(ok.replace("<b/>", "]]>"))).not.toEqual([]);
    expect(xmlProblems(`${ok}<c/>`)).not.toEqual([]);
  });
});
