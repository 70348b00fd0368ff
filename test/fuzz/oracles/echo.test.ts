/**
 * The echo oracle (G7 exact, F2's echo markers): must fire on an id scraped from a refused request
 * and on a planted marker in any channel, raw or encoded; must stay quiet on a well-formed
 * request's own id (answer, audit row), on the evidence's copy of the migration, and on answers
 * that carry nothing of the input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markerFor } from "../../../src/fuzz/craft/markers.js";
import { echoOracle, judgeAll, ORACLES } from "../../../src/fuzz/oracles/index.js";
import type { Operation, Outcome, SideChannels } from "../../../src/fuzz/types.js";
import {
  docBytes,
  exampleActionRequest,
  exampleRehearsalRequest,
  sha256Hex,
} from "../../support/documents.js";
import { input, probe, responded, resultBody, utf8, verdictBody } from "./support.js";

const ID = markerFor("request_id", "salt", "label");
const MIGRATION_MARKER = markerFor("migration", "label");

/** A request the codec accepts, whose request_id is a marker. */
const accepted = (): Uint8Array => docBytes({ ...exampleActionRequest(), request_id: ID });
/** The same request with a duplicate member: the codec refuses it (R3), its id is still in the bytes. */
const refused = (): Uint8Array =>
  utf8(Buffer.from(accepted()).toString("utf8").replace("{", '{"action":"REAL_RUN",'));

const migration = `-- ${MIGRATION_MARKER}\nCREATE TABLE t (id integer);\n`;
const rehearsal = (): Uint8Array =>
  docBytes({ ...exampleRehearsalRequest(), migration, artifact_sha256: sha256Hex(migration) });

const deny = (requestId?: string): Uint8Array =>
  verdictBody({
    kind: "verdict",
    v: 1,
    verdict: "DENY",
    reasons: ["malformed_input"],
    ...(requestId === undefined ? {} : { request_id: requestId }),
  });

const judge = (bytes: Uint8Array, outcome: Outcome, operation: Operation = "decide") =>
  echoOracle.judge(input(undefined, probe("attack", operation, bytes), outcome));

describe("echo oracle (G7, F2)", () => {
  it("judges every probe, as F2's, between leak and structured in the registry", () => {
    expect(echoOracle).toMatchObject({ name: "echo", rule: "F2", appliesTo: "all" });
    const names = ORACLES.map((oracle) => oracle.name);
    expect(names.indexOf("echo")).toBe(names.indexOf("leak") + 1);
    expect(names.indexOf("echo")).toBeLessThan(names.indexOf("structured"));
  });

  describe("G7 exact: a request_id only for a request that passed the codec", () => {
    it("fires on a refusal carrying the id of a request the codec refused", async () => {
      const verdict = await judge(refused(), responded(deny(ID), { status: 400 }));
      expect(verdict.kind).toBe("fail");
      expect(verdict.kind === "fail" ? verdict.reason : "").toMatch(
        /^G7: the DENY carries a request_id although the codec refused/,
      );
    });

    it("fires on an id the request did not send, and on a rehearsal_id for a refused rehearsal", async () => {
      expect(await judge(accepted(), responded(deny("req-other")))).toMatchObject({
        kind: "fail",
        reason: "G7: the DENY carries a request_id the request did not send",
      });
      const body = resultBody({
        kind: "rehearsal-result",
        v: 1,
        verdict: "REFUSED",
        reasons: ["malformed_input"],
        rehearsal_id: "rh-0001",
      });
      const refusedRehearsal = await judge(utf8("{not json"), responded(body), "rehearse");
      expect(refusedRehearsal.kind === "fail" ? refusedRehearsal.reason : "").toMatch(
        /^G7: the REFUSED carries a rehearsal_id although the codec refused/,
      );
    });

    it("stays quiet on the sent id of an accepted request, and on no id at all", async () => {
      expect(await judge(accepted(), responded(deny(ID)))).toEqual({ kind: "pass" });
      expect(await judge(accepted(), responded(deny()))).toEqual({ kind: "pass" });
      expect(await judge(refused(), responded(deny()))).toEqual({ kind: "pass" });
    });
  });

  describe("planted markers, in every channel", () => {
    const withChannels = (partial: Partial<SideChannels>, headers?: Record<string, string>): Outcome =>
      responded(deny(), { channels: partial, ...(headers === undefined ? {} : { headers }) });

    it("fires on a refused request's marker in the body, a header, stderr, stdout, a row or a file", async () => {
      const echoed = `refused request ${ID}`;
      const outcomes: Array<[Outcome, string]> = [
        [responded(`{"kind":"verdict","detail":"${echoed}"}`), "body"],
        [withChannels({}, { "x-request": echoed }), "header x-request"],
        [withChannels({ stderr: echoed }), "stderr"],
        [withChannels({ stdout: echoed }), "stdout"],
        [withChannels({ rows: [`{"requestId":"${ID}"}`] }), "row #0"],
        [withChannels({ files: new Map([["/tmp/log.txt", utf8(echoed)]]) }), "file /tmp/log.txt"],
      ];
      for (const [outcome, where] of outcomes) {
        const verdict = await judge(refused(), outcome);
        expect(verdict, where).toEqual({
          kind: "fail",
          reason: `G7: echo marker ${ID} (raw) from a request the codec refused echoed in ${where}`,
        });
      }
    });

    it("fires on the migration's marker anywhere but the evidence's copy of the migration", async () => {
      const quoted = `{"kind":"rehearsal-result","error":"STATEMENT: -- ${MIGRATION_MARKER}"}`;
      expect(await judge(rehearsal(), responded(quoted), "rehearse")).toMatchObject({
        kind: "fail",
        reason: `G7: echo marker ${MIGRATION_MARKER} (raw) from the request echoed in body`,
      });
      const files = new Map([["/ev/rh-1/result.json", utf8(`{"error":"${MIGRATION_MARKER}"}`)]]);
      expect(await judge(rehearsal(), withChannels({ files }), "rehearse")).toMatchObject({ kind: "fail" });
    });

    it("stays quiet on an accepted request's id in its answer and audit row, and the evidence's migration", async () => {
      const row = `{"requestId":"${ID}","verdict":"DENY"}`;
      expect(await judge(accepted(), responded(deny(ID), { channels: { rows: [row] } }))).toEqual({
        kind: "pass",
      });
      const files = new Map([["/ev/rh-1/migration.sql", utf8(migration)]]);
      const result = resultBody({ kind: "rehearsal-result", v: 1, verdict: "FAIL", reasons: ["no_change"] });
      expect(await judge(rehearsal(), responded(result, { channels: { files } }), "rehearse")).toEqual({
        kind: "pass",
      });
    });

    it("stays quiet on a probe without markers, and errs (never passes) on a harness error", async () => {
      expect(await judge(utf8("{}"), responded('{"echo":"{}"}'))).toEqual({ kind: "pass" });
      expect(await judge(refused(), { kind: "harness_error", detail: "down" })).toMatchObject({
        kind: "error",
      });
    });

    it("is the only oracle to see a strict refusal carrying a refused request's id", async () => {
      const others = ORACLES.filter((oracle) => oracle !== echoOracle);
      const outcome = responded(deny(ID), { status: 400 });
      const judged = (oracles: typeof ORACLES) =>
        judgeAll(oracles, input(undefined, probe("attack", "decide", refused()), outcome));
      // F2 without canaries is an error; every other oracle passes the strict, well-statused DENY.
      expect(await judged(others.filter((o) => o.name !== "leak"))).toEqual({ kind: "pass" });
      expect(await judged(ORACLES)).toMatchObject({ kind: "fail", oracle: { name: "echo" } });
    });
  });

  describe("properties", () => {
    const encodings: Record<string, (text: string) => string> = {
      raw: (text) => text,
      base64: (text) => Buffer.from(text).toString("base64"),
      base64url: (text) => Buffer.from(text).toString("base64url"),
      hex: (text) => Buffer.from(text).toString("hex"),
      "JSON escapes": (text) =>
        [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
    };
    const channelArb = fc.constantFrom<keyof SideChannels | "body" | "header">(
      "body",
      "header",
      "stdout",
      "stderr",
      "rows",
      "files",
    );
    const place = (where: string, text: string): Outcome => {
      switch (where) {
        case "body":
          return responded(`{"detail":"${text}"}`);
        case "header":
          return responded(deny(), { headers: { "x-detail": text } });
        case "rows":
          return responded(deny(), { channels: { rows: [text] } });
        case "files":
          return responded(deny(), { channels: { files: new Map([["/tmp/out.log", utf8(text)]]) } });
        default:
          return responded(deny(), { channels: { [where]: text } });
      }
    };

    it("any marker of a refused request, in any channel and encoding, among any text, is found", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: "grapheme-ascii", maxLength: 24 }),
          fc.string({ unit: "grapheme-ascii", maxLength: 24 }),
          fc.string({ minLength: 1, maxLength: 12 }),
          channelArb,
          fc.constantFrom(...Object.keys(encodings)),
          async (before, after, label, where, encoding) => {
            const marker = markerFor("request_id", "salt", label);
            const bytes = utf8(`{"request_id":"${marker}","request_id":"x"}`);
            const text = `${before.replace(/[\\"]/g, "")}${encodings[encoding]?.(marker)}${after.replace(/[\\"]/g, "")}`;
            const verdict = await judge(bytes, place(where, text));
            expect(verdict.kind, `${where} ${encoding}`).toBe("fail");
          },
        ),
        { numRuns: 150 },
      );
    });

    it("output that holds no marker of the probe is never an echo", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.string({ unit: "grapheme-ascii", maxLength: 80 }),
          channelArb,
          async (label, otherLabel, noise, where) => {
            fc.pre(label !== otherLabel);
            const marker = markerFor("request_id", "salt", label);
            const other = markerFor("request_id", "salt", otherLabel);
            const bytes = utf8(`{"request_id":"${marker}","request_id":"x"}`);
            const text = `${noise.replace(/[\\"]/g, "")} ${other}`;
            expect(await judge(bytes, place(where, text))).toEqual({ kind: "pass" });
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
