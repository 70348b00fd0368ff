/**
 * The clone hook protocol (--clone-cmd): answers are strict, every way a hook can go wrong
 * (garbage, a refusal, a non-zero exit, a hang, an oversize answer) is a failure with one line,
 * and through the hooked target such a failure is a harness error: the P07 probe is judged
 * "error" (inconclusive), never a pass and never a finding.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fireProbe } from "../../../src/fuzz/engine/fire-probe.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import { commandCloneHook, type CloneHook } from "../../../src/fuzz/targets/clone-hook.js";
import { execCloneHook } from "../../../src/fuzz/targets/clone-hook-exec.js";
import {
  parseDescribeAnswer,
  parseDoneAnswer,
  prepareRequest,
} from "../../../src/fuzz/targets/clone-hook-protocol.js";
import { withCloneHook } from "../../../src/fuzz/targets/clone-hook-target.js";
import type { CloneSetup, Outcome, Probe, Target } from "../../../src/fuzz/types.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fc-clone-hook-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A hook script in the temporary folder; the request it got is kept in requests.log. */
async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    `#!/bin/sh\nread -r request\necho "$request" >> ${join(dir, `${name}.log`)}\n${body}\n`,
  );
  await chmod(path, 0o755);
  return path;
}

const SETUP: CloneSetup = { marker: "eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2ln", productionDatabases: [] };

describe("clone hook answers", () => {
  it("accepts exactly the versioned answers", () => {
    expect(parseDescribeAnswer('{"v":1,"ok":true,"database":"app_clone"}')).toEqual({
      ok: true,
      value: { database: "app_clone" },
    });
    expect(parseDoneAnswer('{"v":1,"ok":true}')).toEqual({ ok: true, value: null });
  });

  it("refuses other versions, unknown members, refusals and bad names, saying why", () => {
    const cases: [string, RegExp][] = [
      ['{"v":2,"ok":true,"database":"x"}', /version 1/],
      ['{"v":1,"ok":true,"database":"x","extra":1}', /unknown member "extra"/],
      ['{"v":1,"ok":false,"error":"clone busy"}', /refused: clone busy/],
      ['{"v":1,"ok":true,"database":"x; DROP"}', /no valid "database"/],
      ['{"v":1,"ok":true}', /no valid "database"/],
      ["[1]", /not a JSON object/],
      ["", /not JSON/],
    ];
    for (const [text, why] of cases) {
      const parsed = parseDescribeAnswer(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.why).toMatch(why);
    }
  });

  it("never takes garbage for an answer (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const done = parseDoneAnswer(text);
        const described = parseDescribeAnswer(text);
        // Only the exact frames pass: anything that is not {"v":1,"ok":true...} fails.
        if (done.ok) expect(JSON.parse(text)).toEqual({ v: 1, ok: true });
        if (described.ok) expect(JSON.parse(text)).toMatchObject({ v: 1, ok: true });
      }),
    );
  });

  it("hands the marker's exact bytes, or null for no marker, and the production names", () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: "grapheme" })), fc.array(fc.string()), (marker, names) => {
        const request = prepareRequest({ marker, productionDatabases: names });
        if (request.op !== "prepare") throw new Error("not a prepare");
        expect(request.production_databases).toEqual(names);
        if (marker === null) expect(request.marker_b64).toBeNull();
        else expect(Buffer.from(request.marker_b64 ?? "", "base64").toString("utf8")).toBe(marker);
      }),
    );
  });
});

describe("running the hook", () => {
  it("answers what a hook that works prints, and hands it the request on stdin", async () => {
    const hook = await script("ok.sh", `echo '{"v":1,"ok":true,"database":"app_clone"}'`);
    const run = await execCloneHook(hook, { v: 1, op: "describe" });
    expect(run).toEqual({ kind: "answered", stdout: '{"v":1,"ok":true,"database":"app_clone"}\n' });
    expect(await readFile(`${hook.replace("ok.sh", "ok.sh.log")}`, "utf8")).toBe('{"v":1,"op":"describe"}\n');
  });

  it("fails a non-zero exit with the first line of its stderr", async () => {
    const hook = await script(
      "exit3.sh",
      `echo 'cannot reach the clone' >&2\necho '{"v":1,"ok":true}'\nexit 3`,
    );
    expect(await execCloneHook(hook, { v: 1, op: "restore" })).toEqual({
      kind: "failed",
      why: "it exited 3: cannot reach the clone",
    });
  });

  it("kills a hook that hangs, with its children", async () => {
    const hook = await script("hang.sh", "sleep 60 & sleep 60");
    const started = Date.now();
    const run = await execCloneHook(hook, { v: 1, op: "restore" }, { timeoutMs: 300 });
    expect(run).toEqual({ kind: "failed", why: "it did not finish within 300 ms" });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("fails an answer longer than the limit instead of truncating it", async () => {
    const hook = await script("big.sh", "head -c 100000 /dev/zero | tr '\\0' x");
    const run = await execCloneHook(hook, { v: 1, op: "restore" }, { maxAnswerBytes: 1024 });
    expect(run).toEqual({ kind: "failed", why: "its answer is longer than 1024 bytes" });
  });

  it("fails a command that does not exist", async () => {
    const run = await execCloneHook(join(dir, "no-such-hook"), { v: 1, op: "describe" });
    expect(run.kind).toBe("failed");
  });
});

const REFUSED_BODY = new TextEncoder().encode(
  '{"kind":"rehearsal-result","v":1,"verdict":"REFUSED","reasons":["refused_by_guard","no_marker"]}',
);

function fakeLane(): Target & { readonly fired: string[] } {
  const fired: string[] = [];
  return {
    fired,
    name: "fake",
    operations: ["decide", "rehearse"],
    fire(operation): Promise<Outcome> {
      fired.push(operation);
      return Promise.resolve({
        kind: "responded",
        elapsedMs: 1,
        status: 403,
        headers: {},
        body: REFUSED_BODY,
        channels: { stdout: "", stderr: "", files: new Map(), rows: [] },
      });
    },
    restart: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** A hook in memory: each step answers as told and is recorded. */
function memoryHook(answers: { prepare?: boolean; restore?: boolean[] }): CloneHook & { calls: string[] } {
  const calls: string[] = [];
  const restores = [...(answers.restore ?? [])];
  const result = (ok: boolean, op: string) =>
    ok
      ? { ok: true as const, value: null }
      : { ok: false as const, detail: `clone hook ${op} failed (--clone-cmd): it exited 1` };
  return {
    calls,
    command: "memory",
    describe: () => Promise.resolve({ ok: true, value: { database: "app_clone" } }),
    prepare: () => {
      calls.push("prepare");
      return Promise.resolve(result(answers.prepare ?? true, "prepare"));
    },
    restore: () => {
      calls.push("restore");
      return Promise.resolve(result(restores.shift() ?? true, "restore"));
    },
  };
}

describe("the hooked target", () => {
  it("prepares, rehearses and restores, in that order, and returns the lane's answer", async () => {
    const lane = fakeLane();
    const hook = memoryHook({});
    const target = withCloneHook(lane, hook, { ok: true, value: { database: "app_clone" } });
    const outcome = await target.fireOnClone?.(SETUP, new Uint8Array(), 1_000);
    expect(outcome?.kind).toBe("responded");
    expect(hook.calls).toEqual(["prepare", "restore"]);
    expect(lane.fired).toEqual(["rehearse"]);
  });

  it("a failed prepare is a harness error, the clone is restored, nothing is fired", async () => {
    const lane = fakeLane();
    const hook = memoryHook({ prepare: false });
    const target = withCloneHook(lane, hook, { ok: true, value: { database: "app_clone" } });
    const outcome = await target.fireOnClone?.(SETUP, new Uint8Array(), 1_000);
    expect(outcome).toEqual({
      kind: "harness_error",
      detail: "clone hook prepare failed (--clone-cmd): it exited 1",
    });
    expect(hook.calls).toEqual(["prepare", "restore"]);
    expect(lane.fired).toEqual([]);
  });

  it("a failed restore makes the probe and every later rehearsal a harness error until a restore works", async () => {
    const lane = fakeLane();
    const hook = memoryHook({ restore: [false, false, true] });
    const target = withCloneHook(lane, hook, { ok: true, value: { database: "app_clone" } });
    expect((await target.fireOnClone?.(SETUP, new Uint8Array(), 1_000))?.kind).toBe("harness_error");
    // A control's clean rehearsal must never run on a clone left bent.
    expect((await target.fire("rehearse", new Uint8Array(), 1_000)).kind).toBe("harness_error");
    expect((await target.fire("decide", new Uint8Array(), 1_000)).kind).toBe("responded");
    expect((await target.fire("rehearse", new Uint8Array(), 1_000)).kind).toBe("responded");
    expect(hook.calls).toEqual(["prepare", "restore", "restore", "restore"]);
  });

  it("a hook that could not say which database its clone is fails every clone probe", async () => {
    const lane = fakeLane();
    const target = withCloneHook(lane, memoryHook({}), {
      ok: false,
      detail: "clone hook describe failed (--clone-cmd): its answer is not JSON",
    });
    const outcome = await target.fireOnClone?.(SETUP, new Uint8Array(), 1_000);
    expect(outcome).toEqual({
      kind: "harness_error",
      detail: "clone hook describe failed (--clone-cmd): its answer is not JSON",
    });
    expect(lane.fired).toEqual([]);
  });

  it("a P07 probe whose hook fails is judged an error (inconclusive), never a pass or a finding", async () => {
    const probe: Probe = {
      family: "P07",
      operation: "rehearse",
      role: "attack",
      bytes: new Uint8Array(),
      seed: 1,
      description: "a clone without a marker",
      rule: "C1",
    };
    const garbage = await script("garbage.sh", "echo 'this is not json'");
    for (const command of [garbage, await script("fails.sh", "exit 1")]) {
      const hook = commandCloneHook(command);
      const target = withCloneHook(fakeLane(), hook, { ok: true, value: { database: "postgres" } });
      const judgement = await fireProbe(
        probe,
        { cloneSetup: SETUP },
        {
          target,
          oracles: ORACLES,
          timeoutMs: 1_000,
          canaries: [],
          sealedBy: () => Promise.resolve(undefined),
        },
      );
      expect(judgement.kind).toBe("error");
    }
  });
});
