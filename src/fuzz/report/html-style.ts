/** The report page's only style sheet, inline: the file must open offline, from a CI artifact. */
export const REPORT_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
.banner { font-size: 1.3rem; font-weight: 700; padding: .6rem 1rem; border-radius: 6px; }
.pass { background: #dafbe1; color: #116329; }
.fail { background: #ffebe9; color: #a40e26; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.closed { color: #116329; font-weight: 600; }
.bad { color: #a40e26; font-weight: 600; }
.meter { display: inline-block; width: 5rem; height: .6rem; background: #eaeef2; border-radius: 3px; vertical-align: middle; }
.meter > span { display: block; height: 100%; background: #2da44e; border-radius: 3px; }
code, pre { font-family: ui-monospace, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.finding { border: 1px solid #d0d7de; border-left: 4px solid #cf222e; border-radius: 6px; padding: .4rem 1rem; margin: 1rem 0; }
.chart { max-width: 100%; height: auto; display: block; margin: .5rem 0 1rem; }
.chart .axis { stroke: #8c959f; }
.chart .tick { font-size: 11px; fill: #57606a; }
.chart .bar.full { fill: #2da44e; }
.chart .bar.short { fill: #cf222e; }
.chart .current { stroke: #1b1f24; stroke-width: 1.5; }
.chart .line { fill: none; stroke: #0969da; stroke-width: 2; }
.chart .dot { fill: #0969da; }
`;
