/**
 * Runs the clone hook once: `/bin/sh -c CMD` in its own process group, the request as one JSON
 * line on stdin (and the operation in FAILCLOSED_CLONE_OP, for shell hooks), its answer read from
 * stdout. Bounded every way a hook can go wrong: a timeout kills the whole group, stdout beyond
 * the limit ends it, and only the first line of stderr (200 characters) is kept for the message.
 */
import { spawn } from "node:child_process";
import { CLONE_HOOK_MAX_ANSWER_BYTES, type CloneHookRequest } from "./clone-hook-protocol.js";

/** Each hook call's limit: generous, since a hook may copy a clone or reload a lane. */
export const CLONE_HOOK_TIMEOUT_MS = 120_000;

const STDERR_KEPT_BYTES = 4096;

export type HookRun =
  { readonly kind: "answered"; readonly stdout: string } | { readonly kind: "failed"; readonly why: string };

export interface HookExecOptions {
  readonly timeoutMs?: number;
  readonly maxAnswerBytes?: number;
}

function firstLine(stderr: Buffer): string {
  const line =
    stderr
      .toString("utf8")
      .split("\n")
      .find((l) => l.trim() !== "") ?? "";
  const printable = line.replace(/[^\x20-\x7e]/g, "?").trim();
  return printable.length > 200 ? `${printable.slice(0, 200)}...` : printable;
}

export function execCloneHook(
  command: string,
  request: CloneHookRequest,
  options: HookExecOptions = {},
): Promise<HookRun> {
  const timeoutMs = options.timeoutMs ?? CLONE_HOOK_TIMEOUT_MS;
  const maxAnswer = options.maxAnswerBytes ?? CLONE_HOOK_MAX_ANSWER_BYTES;
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, FAILCLOSED_CLONE_OP: request.op },
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = Buffer.alloc(0);
    let verdict: HookRun | undefined;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const stop = (why: string): void => {
      verdict ??= { kind: "failed", why };
      killGroup();
    };
    const timer = setTimeout(() => stop(`it did not finish within ${timeoutMs} ms`), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxAnswer) stop(`its answer is longer than ${maxAnswer} bytes`);
      else out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (err.length < STDERR_KEPT_BYTES) err = Buffer.concat([err, chunk]).subarray(0, STDERR_KEPT_BYTES);
    });
    // A hook that never reads its stdin must not fail the write.
    child.stdin.on("error", () => undefined);
    child.stdin.end(`${JSON.stringify(request)}\n`);
    child.on("error", (error) => stop(`it could not be started: ${error.message}`));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Anything the hook left behind in its group goes with it.
      killGroup();
      if (verdict !== undefined) return resolve(verdict);
      if (code !== 0) {
        const said = firstLine(err);
        const how = signal === null ? `it exited ${code ?? "?"}` : `it was killed by ${signal}`;
        return resolve({ kind: "failed", why: said === "" ? how : `${how}: ${said}` });
      }
      resolve({ kind: "answered", stdout: Buffer.concat(out).toString("utf8") });
    });
  });
}
