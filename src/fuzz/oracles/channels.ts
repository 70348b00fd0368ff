/**
 * Every output channel of an outcome (SPEC F2: body, headers, stdout, stderr, files, rows), each
 * with a label for findings. Labels that would name attacker- or target-chosen text (a header name,
 * a file path) are only used when they hold no canary; otherwise they fall back to an index.
 */
import type { Outcome } from "../types.js";
import type { CanaryScanner } from "../canary/scanner.js";

export interface Channel {
  /** Where the data was seen, e.g. "body", "header x-debug", "file evidence/result.json". */
  readonly label: string;
  readonly data: string | Uint8Array;
  /** Data the lane returns to the caller (the response body): where a control's permit belongs. */
  readonly isBody: boolean;
}

const SAFE_LABEL = /^[A-Za-z0-9._/:-]{1,160}$/;

function safeLabel(kind: string, name: string, index: number, scan: CanaryScanner): string {
  return SAFE_LABEL.test(name) && scan(name) === undefined ? `${kind} ${name}` : `${kind} #${index}`;
}

function sideChannels(outcome: Exclude<Outcome, { kind: "harness_error" }>, scan: CanaryScanner): Channel[] {
  const { stdout, stderr, files, rows } = outcome.channels;
  const out: Channel[] = [
    { label: "stdout", data: stdout, isBody: false },
    { label: "stderr", data: stderr, isBody: false },
  ];
  let index = 0;
  for (const [path, bytes] of files) {
    out.push({ label: `file name #${index}`, data: path, isBody: false });
    out.push({ label: safeLabel("file", path, index, scan), data: bytes, isBody: false });
    index++;
  }
  for (const [row, text] of rows.entries()) out.push({ label: `row #${row}`, data: text, isBody: false });
  return out;
}

export function outputChannels(outcome: Outcome, scan: CanaryScanner): Channel[] {
  switch (outcome.kind) {
    case "responded": {
      const out: Channel[] = [{ label: "body", data: outcome.body, isBody: true }];
      for (const [index, [name, value]] of Object.entries(outcome.headers).entries()) {
        out.push({ label: `header name #${index}`, data: name, isBody: false });
        out.push({ label: safeLabel("header", name, index, scan), data: value, isBody: false });
      }
      return [...out, ...sideChannels(outcome, scan)];
    }
    case "crashed":
      return [{ label: "crash detail", data: outcome.detail, isBody: false }, ...sideChannels(outcome, scan)];
    case "timed_out":
      return sideChannels(outcome, scan);
    case "harness_error":
      // The detail may end up in a report; it is searched so a harness bug cannot carry a key out.
      return [{ label: "harness error detail", data: outcome.detail, isBody: false }];
  }
}
