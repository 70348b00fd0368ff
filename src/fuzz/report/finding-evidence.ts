import { isAbsolute, relative } from "node:path";
import { calculateJwkThumbprint, type JWK } from "jose";
import type { FindingEvidence, Outcome, RecordedAnswer } from "../types.js";
import type { CanaryScan } from "./canary.js";

/** A recorded answer's body is cut here: enough to read a verdict, never a flood. */
export const MAX_ANSWER_CHARS = 4096;
const MAX_SEALS = 16;
const MAX_PAYLOAD_CHARS = 65_536;

/** RFC 7638 thumbprints (jose) of every key in the keyring files: kids, roles, no key material. */
export async function fingerprintKeyring(jwkSets: readonly unknown[]): Promise<FindingEvidence["keyring"]> {
  const prints: { kid: string; role: string; thumbprint: string }[] = [];
  for (const set of jwkSets) {
    const keys = (set as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) continue;
    for (const key of keys as Array<JWK & { role?: unknown }>) {
      if (typeof key.kid !== "string") continue;
      prints.push({
        kid: key.kid,
        role: typeof key.role === "string" ? key.role : "unknown",
        // jose reads only the members RFC 7638 names: x for OKP, k for an HMAC secret (hashed).
        thumbprint: await calculateJwkThumbprint(key, "sha256"),
      });
    }
  }
  return prints.filter(
    (p, i) => prints.findIndex((q) => q.kid === p.kid && q.thumbprint === p.thumbprint) === i,
  );
}

/** What the target answered, bounded; withheld whole when any part holds a planted canary. */
export function recordAnswer(outcome: Outcome, scan: CanaryScan): RecordedAnswer {
  let answer: RecordedAnswer;
  switch (outcome.kind) {
    case "responded": {
      const text = Buffer.from(outcome.body).toString("utf8");
      answer = {
        kind: "responded",
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        headers: Object.fromEntries(
          Object.entries(outcome.headers)
            .slice(0, 64)
            .map(([name, value]) => [name, value.slice(0, 1024)]),
        ),
        body: text.slice(0, MAX_ANSWER_CHARS),
        truncated: text.length > MAX_ANSWER_CHARS,
      };
      break;
    }
    case "crashed":
      answer = { kind: "crashed", detail: outcome.detail.slice(0, MAX_ANSWER_CHARS) };
      break;
    case "timed_out":
      answer = { kind: "timed_out" };
      break;
    case "harness_error":
      answer = { kind: "crashed", detail: `no answer: ${outcome.detail.slice(0, MAX_ANSWER_CHARS)}` };
      break;
  }
  const hit = scan(JSON.stringify(answer));
  return hit === undefined
    ? answer
    : {
        kind: "withheld",
        why: `the answer held a planted canary (${hit.slice(0, 64)}): a leak, not written`,
      };
}

const COMPACT_JWS = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

function decodePart(part: string, limit: number): string | undefined {
  const text = Buffer.from(part, "base64url").toString("utf8");
  return text.startsWith("{") ? text.slice(0, limit) : undefined;
}

/** Every compact JWS in the probe's bytes whose header decodes to JSON: header and payload as text. */
export function decodeSeals(bytes: Uint8Array, scan: CanaryScan): FindingEvidence["seals"] {
  const text = Buffer.from(bytes).toString("utf8");
  const seals: { header: string; payload: string }[] = [];
  for (const match of text.matchAll(COMPACT_JWS)) {
    if (seals.length >= MAX_SEALS) break;
    const [header, payload] = match[0].split(".");
    const decodedHeader = decodePart(header ?? "", 8192);
    if (decodedHeader === undefined) continue;
    const decodedPayload = decodePart(payload ?? "", MAX_PAYLOAD_CHARS) ?? "(not JSON)";
    if (scan(decodedHeader + decodedPayload) !== undefined) continue;
    seals.push({ header: decodedHeader, payload: decodedPayload });
  }
  return seals;
}

/** One shell word: quoted unless it is plainly safe. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** A path as the user should type it from cwd: relative when it is below cwd. */
export function pathFrom(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

export interface ReplayLineOptions {
  /** How failclosed was invoked ("npx failclosed", "node dist/src/cli/main.js"). */
  readonly program: string;
  /** The finding file, as a path from the directory the run was started in. */
  readonly findingPath: string;
  readonly target: FindingEvidence["target"];
  /** The keyring files the run was given, as paths from that directory. */
  readonly keyring: readonly string[];
  readonly operation: "decide" | "rehearse";
  readonly bytesB64: string;
  /** A scenario or a clone probe is more than one POST: no curl line. */
  readonly plainProbe: boolean;
}

/** The replay command, and for a plain HTTP probe the curl line that sends the same bytes. */
export function replayLines(options: ReplayLineOptions): FindingEvidence["replay"] {
  const keyrings = options.keyring.flatMap((path) => ["--keyring", shellWord(path)]);
  const target =
    options.target.kind === "http"
      ? ["--target", shellWord(options.target.url), ...keyrings]
      : options.target.kind === "child"
        ? ["--target-cmd", shellWord(options.target.command), ...keyrings]
        : [];
  const command = [options.program, "replay", shellWord(options.findingPath), ...target].join(" ");
  if (options.target.kind !== "http" || !options.plainProbe) return { command };
  const url = `${options.target.url.replace(/\/$/, "")}/v1/${options.operation}`;
  const bytes =
    options.bytesB64.length <= 8192
      ? `printf %s ${shellWord(options.bytesB64)}`
      : `jq -r .bytesB64 ${shellWord(options.findingPath)}`;
  return {
    command,
    curl: `${bytes} | base64 -d | curl -sS -i -H 'content-type: application/json' --data-binary @- ${shellWord(url)}`,
  };
}

export function describeRecordedTarget(target: FindingEvidence["target"]): string {
  switch (target.kind) {
    case "reference":
      return "the reference lane in process";
    case "http":
      return `http ${target.url}`;
    case "child":
      return `child ${target.command}`;
  }
}

/** A recorded answer as a reader sees it: status line, headers, body. */
export function describeAnswer(answer: RecordedAnswer): string {
  switch (answer.kind) {
    case "responded": {
      const status = answer.status === undefined ? "line" : `status ${answer.status}`;
      const headers = Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`);
      return [status, ...headers, "", `${answer.body}${answer.truncated ? " [cut]" : ""}`].join("\n");
    }
    case "crashed":
      return `no answer: ${answer.detail}`;
    case "timed_out":
      return "no answer within the time limit";
    case "withheld":
      return `withheld: ${answer.why}`;
  }
}
