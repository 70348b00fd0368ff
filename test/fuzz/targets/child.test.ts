/**
 * The child-process target's mechanics (T3), on tiny shell children: answers in order, stderr and
 * stray stdout per probe, a dead child recorded as crashed and restarted, a hung one timed out and
 * killed with its whole process group, and close() ending it.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openChildTarget } from "../../../src/fuzz/targets/child.js";
import type { Target } from "../../../src/fuzz/types.js";
import { tempDir } from "../../support/keyrings.js";
import { bodyText, kindOf, responded, utf8 } from "./outcomes.js";

const LIMIT_MS = 10_000;
/** Shell children start in milliseconds: no start-up allowance, so timeouts are exact. */
const FAST = { startupMs: 0, killGraceMs: 500 } as const;
const b64 = (text: string): string => Buffer.from(text).toString("base64");

let work: { dir: string; remove: () => Promise<void> };
const open: Target[] = [];

function child(script: string): Target {
  const target = openChildTarget(script, {
    ...FAST,
    cwd: work.dir,
    env: { PATH: process.env["PATH"] ?? "" },
  });
  open.push(target);
  return target;
}

/** Running, and not a zombie waiting to be reaped (a killed grandchild is reparented first). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync("/proc")) return true;
  try {
    // /proc/<pid>/stat: "pid (comm) S ...": the state letter follows the last parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

beforeAll(async () => {
  work = await tempDir("failclosed-child-");
});

afterEach(async () => {
  for (const target of open.splice(0)) await target.close();
});

afterAll(async () => {
  await work?.remove();
});

describe("the child-process target", () => {
  it("sends T3 envelopes and takes one answer line per probe, in order, with that probe's stderr", async () => {
    // cat echoes each envelope back: the answer is exactly the line the target wrote.
    const target = child(
      `n=0; while IFS= read -r line; do n=$((n+1)); echo "probe $n" >&2; printf '%s\\n' "$line"; done`,
    );
    for (const [i, op] of (["decide", "rehearse", "decide"] as const).entries()) {
      const outcome = responded(await target.fire(op, utf8(`body ${i}`), LIMIT_MS));
      expect(JSON.parse(bodyText(outcome))).toEqual({ op, body_b64: b64(`body ${i}`) });
      expect(outcome.channels.stderr).toBe(`probe ${i + 1}\n`);
      expect(outcome.status).toBeUndefined();
      expect(outcome.headers).toEqual({});
    }
  });

  it("keeps an answer's bytes exactly, CR and invalid UTF-8 included", async () => {
    const target = child(`while IFS= read -r line; do printf 'a\\r\\377b\\n'; done`);
    const outcome = responded(await target.fire("decide", utf8("x"), LIMIT_MS));
    expect([...outcome.body]).toEqual([0x61, 0x0d, 0xff, 0x62]);
  });

  it("gives a line nobody asked for to the next probe's stdout, not as its answer", async () => {
    // One write: T3 answers carry no id, so a stray line written separately could arrive after
    // the next probe was sent and be taken for its answer; no transport can tell the two apart.
    const target = child(`while IFS= read -r line; do printf 'answer\nstray\n'; done`);
    const first = responded(await target.fire("decide", utf8("1"), LIMIT_MS));
    expect(bodyText(first)).toBe("answer");
    const second = responded(await target.fire("decide", utf8("2"), LIMIT_MS));
    expect(bodyText(second)).toBe("answer");
    expect(second.channels.stdout).toBe("stray\n");
  });

  it("records a probe whose child dies as crashed, and restarts the child for the next probe", async () => {
    const target = child(
      `echo started >&2; while IFS= read -r line; do case "$line" in *${b64("die")}*) echo dying >&2; exit 3;; esac; echo ok; done`,
    );
    expect(bodyText(await target.fire("decide", utf8("live"), LIMIT_MS))).toBe("ok");
    const crashed = kindOf(await target.fire("decide", utf8("die"), LIMIT_MS), "crashed");
    expect(crashed.detail).toContain("exit code 3");
    expect(crashed.channels.stderr).toBe("dying\n");
    const next = responded(await target.fire("decide", utf8("live again"), LIMIT_MS));
    expect(bodyText(next)).toBe("ok");
    // The new child's own start-up output belongs to the probe it started for.
    expect(next.channels.stderr).toBe("started\n");
  });

  it("passes output of a child that died between probes on to the next probe", async () => {
    const target = child(`IFS= read -r line; echo ok; sleep 0.2; echo "last words" >&2; exit 0`);
    expect(bodyText(await target.fire("decide", utf8("1"), LIMIT_MS))).toBe("ok");
    await new Promise((r) => setTimeout(r, 600));
    const next = responded(await target.fire("decide", utf8("2"), LIMIT_MS));
    expect(next.channels.stderr).toContain("last words");
  });

  it("records a command that cannot run as crashed, with the shell's complaint", async () => {
    const target = child(`exec /nonexistent/failclosed-gate`);
    const crashed = kindOf(await target.fire("decide", utf8("x"), LIMIT_MS), "crashed");
    expect(crashed.detail).toContain("exit code 127");
    expect(crashed.channels.stderr).toContain("nonexistent");
  });

  it("times out a hung probe, kills the child's whole process group, and the next probe works", async () => {
    const pidFile = join(work.dir, "sleeper.pid");
    const target = child(
      `while IFS= read -r line; do case "$line" in *${b64("hang")}*) sleep 1000 & echo $! > '${pidFile}'; wait;; esac; echo ok; done`,
    );
    expect(bodyText(await target.fire("decide", utf8("warm"), LIMIT_MS))).toBe("ok");
    const start = Date.now();
    const timedOut = kindOf(await target.fire("decide", utf8("hang"), 300), "timed_out");
    expect(timedOut.elapsedMs).toBeGreaterThanOrEqual(290);
    expect(Date.now() - start).toBeLessThan(5_000);
    // The sleep is a grandchild (sh -> sleep): only a kill of the group reaches it.
    const sleeper = Number(await readFile(pidFile, "utf8"));
    await waitUntil(() => !alive(sleeper));
    expect(alive(sleeper)).toBe(false);
    expect(bodyText(await target.fire("decide", utf8("after"), LIMIT_MS))).toBe("ok");
  });

  it("uses SIGKILL on a child that ignores SIGTERM", async () => {
    const target = child(`trap '' TERM; while IFS= read -r line; do sleep 1000; done`);
    const start = Date.now();
    kindOf(await target.fire("decide", utf8("x"), 200), "timed_out");
    // 200 ms limit plus the 500 ms grace before SIGKILL.
    expect(Date.now() - start).toBeLessThan(5_000);
  });

  it("runs one probe at a time: concurrent fires are answered in turn, each with its own answer", async () => {
    const target = child(`while IFS= read -r line; do sleep 0.05; printf '%s\\n' "$line"; done`);
    const bodies = await Promise.all(
      ["a", "b", "c", "d"].map(async (body) => bodyText(await target.fire("decide", utf8(body), LIMIT_MS))),
    );
    expect(bodies.map((line) => (JSON.parse(line) as { body_b64: string }).body_b64)).toEqual(
      ["a", "b", "c", "d"].map(b64),
    );
  });

  it("close() ends the child (stdin closed first) and later probes are harness errors", async () => {
    const pidFile = join(work.dir, "closing.pid");
    const target = openChildTarget(`echo $$ > '${pidFile}'; exec cat`, FAST);
    expect(bodyText(await target.fire("decide", utf8("x"), LIMIT_MS))).toContain(b64("x"));
    const pid = Number(await readFile(pidFile, "utf8"));
    expect(alive(pid)).toBe(true);
    await target.close();
    await waitUntil(() => !alive(pid));
    expect(alive(pid)).toBe(false);
    expect((await target.fire("decide", utf8("y"), LIMIT_MS)).kind).toBe("harness_error");
  });
});
