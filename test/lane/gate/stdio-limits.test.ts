/**
 * T3's limits (issue #13): a line longer than the limit is answered like HTTP's 413 (a
 * malformed-input refusal of the kind its op asked for) and dropped as it arrives, never held
 * whole; and a reader that closes our stdout ends `serve --stdio` cleanly, its ALLOW's audit entry
 * and consumed nonces kept.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_REHEARSAL_REQUEST_BYTES } from "../../../src/lane/codec/limits.js";
import { boundedLines, type BoundedLine } from "../../../src/lane/server/bounded-lines.js";
import { openGateService } from "../../../src/lane/server/gate-service.js";
import { MAX_LINE_BYTES } from "../../../src/lane/server/stdio.js";
import {
  CLI_MAIN,
  CliChild,
  Docs,
  envelope,
  expectRefusal,
  keyringFlags,
  makeTestKeys,
  realNow,
  requireBuiltCli,
  writeKeyFiles,
  type KeyFiles,
  type TestKeys,
} from "../../support/gate-fixtures.js";

async function collect(input: Readable, max: number, keep: number): Promise<BoundedLine[]> {
  const out: BoundedLine[] = [];
  for await (const line of boundedLines(input, max, keep)) out.push(line);
  return out;
}

/** What boundedLines must yield for this text, computed the obvious way. */
function expected(text: string, max: number, keep: number): BoundedLine[] {
  const pieces = text.split("\n");
  if (pieces[pieces.length - 1] === "") pieces.pop();
  return pieces.map((piece) => {
    const bytes = Buffer.from(piece, "latin1");
    return bytes.length > max
      ? { kind: "oversize", prefix: bytes.subarray(0, keep) }
      : { kind: "line", bytes };
  });
}

describe("boundedLines", () => {
  it("yields every line as sent, however the stream is chunked, and only a prefix of an over-long one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: fc.constantFrom("a", "b", "{", "\n"), maxLength: 40 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 6 }),
        async (parts, max, keep) => {
          const text = parts.join("");
          const lines = await collect(Readable.from(parts.map((p) => Buffer.from(p, "latin1"))), max, keep);
          expect(lines).toStrictEqual(expected(text, max, keep));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the limit admits a rehearsal request with a 1 MiB migration, in base64, with its envelope", () => {
    expect(MAX_LINE_BYTES).toBeGreaterThanOrEqual(
      Math.ceil(MAX_REHEARSAL_REQUEST_BYTES / 3) * 4 + '{"op":"rehearse","body_b64":""}'.length,
    );
  });
});

describe("serve --stdio as a child process", () => {
  let keys: TestKeys;
  let docs: Docs;
  let files: KeyFiles;
  beforeAll(async () => {
    requireBuiltCli();
    keys = await makeTestKeys();
    docs = new Docs(keys, realNow());
    files = await writeKeyFiles(keys);
  });
  afterAll(async () => {
    await files?.remove();
  });

  it("answers a 256 MiB line with a malformed-input refusal without holding it, and keeps serving", async () => {
    const server = new CliChild(["serve", "--stdio", "--ephemeral", ...keyringFlags(files.paths)]);
    try {
      const hold = await docs.build(docs.holdScenario("DRYRUN"));
      // Ready: one ordinary answer before the flood.
      expectRefusal(
        await server.channel.request(envelope(hold.bytes)),
        keys,
        "HOLD",
        ["hold_default"],
        hold.requestId,
      );
      const before = await peakMemory(server.child.pid ?? 0);
      const chunk = Buffer.alloc(1 << 20, 0x41);
      server.channel.write('{"op":"rehearse","body_b64":"');
      for (let i = 0; i < 256; i++) {
        if (!server.child.stdin.write(chunk)) await once(server.child.stdin, "drain");
      }
      const answer = server.channel.request('"}');
      expect(JSON.parse(await answer)).toStrictEqual({
        kind: "rehearsal-result",
        v: 1,
        verdict: "REFUSED",
        reasons: ["malformed_input"],
      });
      const after = await peakMemory(server.child.pid ?? 0);
      // readline held the whole line (512 MiB as a string); the bounded reader holds at most the limit.
      expect(after - before).toBeLessThan(64 * 1024 * 1024);
      const oversizeDecide = `${envelope(Buffer.alloc(MAX_REHEARSAL_REQUEST_BYTES + 1, 0x20))}`;
      expectRefusal(
        await server.channel.request(oversizeDecide),
        keys,
        "DENY",
        ["malformed_input"],
        undefined,
      );
      expectRefusal(
        await server.channel.request(envelope(hold.bytes)),
        keys,
        "HOLD",
        ["hold_default"],
        hold.requestId,
      );
      expect(await server.stop()).toStrictEqual({ code: 0, signal: null });
      expect(server.stderr).toBe("");
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) await server.stop("SIGKILL");
    }
  }, 240_000);

  it("a reader that closes our stdout ends the process cleanly; the ALLOW it was answering stays recorded", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fc-stdio-epipe-"));
    try {
      const dataDir = join(dir, "gate-db");
      const child = spawn(
        process.execPath,
        [CLI_MAIN, "serve", "--stdio", "--data-dir", dataDir, ...keyringFlags(files.paths)],
        { env: { PATH: process.env["PATH"] ?? "" }, stdio: ["pipe", "pipe", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
      // Wait until it serves: its first answer.
      const hold = await docs.build(docs.holdScenario("DRYRUN"));
      child.stdin.write(`${envelope(hold.bytes)}\n`);
      await once(child.stdout, "data");
      // The reader goes away, then the request whose answer can no longer be delivered arrives.
      child.stdout.destroy();
      const request = await docs.authorized("CUTOVER");
      child.stdin.write(`${envelope(request.bytes)}\n`);
      const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }).toStrictEqual({ code: 0, signal: null });
      expect(stderr).not.toMatch(/EPIPE|Error:|at .*\.js:\d+/);

      const service = await openGateService({
        keyring: keys.keyring,
        database: { engine: "pglite", dataDir },
      });
      try {
        const entries = await service.ledger.auditEntries(100);
        expect(entries.filter((e) => e.requestId === request.requestId).map((e) => e.verdict)).toStrictEqual([
          "ALLOW",
        ]);
        expect(await service.ledger.consumedCount()).toBe(request.grantIds.length);
        const replay = await service.decide(request.bytes);
        expectRefusal(replay.bytes, keys, "DENY", ["replayed"], request.requestId);
      } finally {
        await service.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

/** The process's peak resident set so far (VmHWM), in bytes. */
async function peakMemory(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error("no VmHWM");
  return Number(kb) * 1024;
}
