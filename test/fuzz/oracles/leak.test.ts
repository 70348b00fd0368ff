/**
 * F2's oracle on hand-made outcomes: every encoding of a planted canary in every channel fires,
 * with a reason that names the channel and the encoding but holds no secret; seals are judged by
 * who made them and for which probe; tokens the probe carried itself are the attacker's own.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { labelledEncodings, makeScanner } from "../../../src/fuzz/canary/index.js";
import { sealedByKeyring } from "../../../src/fuzz/engine/sealed-by.js";
import { leakOracle } from "../../../src/fuzz/oracles/index.js";
import type { Outcome } from "../../../src/fuzz/types.js";
import {
  DIGEST_BEFORE,
  docBytes,
  exampleActionRequest,
  exampleCloneMarker,
  exampleEvidence,
  exampleGrant,
  examplePermit,
} from "../../support/documents.js";
import { craftJws, headerJson, rawSigner } from "../../support/keyrings.js";
import type { OracleFixture } from "./support.js";
import { DENY_BODY, channels, input, makeOracleFixture, probe, responded, utf8 } from "./support.js";

let fx: OracleFixture;
beforeAll(async () => {
  fx = await makeOracleFixture();
});

function latin1Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "latin1"));
}

/** Every output channel, each holding `leak` between ordinary text. */
const CHANNELS: ReadonlyArray<[string, RegExp, (leak: string) => Outcome]> = [
  ["body", /in body$/, (leak) => responded(latin1Bytes(`{"debug":"${leak}"}`), { status: 403 })],
  ["header name", /in header name #0$/, (leak) => responded(DENY_BODY, { headers: { [`x-${leak}`]: "1" } })],
  [
    "header value",
    /in header x-debug$/,
    (leak) => responded(DENY_BODY, { headers: { "x-debug": `k=${leak};` } }),
  ],
  ["stdout", /in stdout$/, (leak) => responded(DENY_BODY, { channels: { stdout: `log: ${leak}\n` } })],
  ["stderr", /in stderr$/, (leak) => responded(DENY_BODY, { channels: { stderr: `warn ${leak}` } })],
  [
    "file bytes",
    /in file evidence\/R-1\/result\.json$/,
    (leak) =>
      responded(DENY_BODY, {
        channels: { files: new Map([["evidence/R-1/result.json", latin1Bytes(`\x00\xff${leak}\x80`)]]) },
      }),
  ],
  [
    "file name",
    /in file name #0$/,
    (leak) =>
      responded(DENY_BODY, { channels: { files: new Map([[`dump-${leak}.bin`, new Uint8Array()]]) } }),
  ],
  [
    "row",
    /in row #1$/,
    (leak) => responded(DENY_BODY, { channels: { rows: ["audit DENY", `audit ${leak}`] } }),
  ],
  [
    "crash detail",
    /in crash detail$/,
    (leak) => ({ kind: "crashed", elapsedMs: 1, detail: leak, channels: channels() }),
  ],
];

describe("leak oracle: canaries", () => {
  it("fires for every encoding of the planted canary in every channel, naming both, never the secret", async () => {
    const index = fx.canaries.indexOf(fx.canaryJwk.d);
    const forms = labelledEncodings(fx.canaryJwk.d);
    const scan = makeScanner(fx.canaries);
    expect(forms.length).toBeGreaterThanOrEqual(12);
    let cases = 0;
    for (const [, where, outcome] of CHANNELS) {
      for (const form of forms) {
        for (const role of ["attack", "control"] as const) {
          const verdict = await leakOracle.judge(input(fx, probe(role), outcome(form.text)));
          expect(verdict, `${form.encoding} ${String(where)}`).toMatchObject({ kind: "fail" });
          const reason = verdict.kind === "fail" ? verdict.reason : "";
          expect(reason).toMatch(where);
          expect(reason).toContain(`canary #${index} (${form.encoding})`);
          expect(scan(reason)).toBeUndefined();
          cases++;
        }
      }
    }
    expect(cases).toBe(CHANNELS.length * forms.length * 2);
  });

  it("fires for the real keys' secrets too, not only the planted one", async () => {
    const hs = fx.canaries[0] ?? "";
    const verdict = await leakOracle.judge(
      input(fx, probe("attack"), responded(DENY_BODY, { channels: { stdout: hs } })),
    );
    expect(verdict).toEqual({ kind: "fail", reason: "canary #0 (raw) in stdout" });
  });

  it("stays quiet on a clean refusal with ordinary side channels", async () => {
    const outcome = responded(DENY_BODY, {
      status: 403,
      channels: {
        stdout: "decide request req-0001: DENY seal_invalid\n",
        files: new Map([["audit.log", utf8("DENY seal_invalid")]]),
        rows: ["1|2030-01-15T12:00:00Z|req-0001|DENY|seal_invalid"],
      },
    });
    expect(await leakOracle.judge(input(fx, probe("attack"), outcome))).toEqual({ kind: "pass" });
  });

  it("is an error, never a pass, without canaries to look for", async () => {
    const verdict = await leakOracle.judge(input(undefined, probe("attack"), responded(DENY_BODY)));
    expect(verdict.kind).toBe("error");
  });

  it("searches a harness error's detail, and otherwise cannot judge it", async () => {
    const leaked = await leakOracle.judge(
      input(fx, probe("attack"), { kind: "harness_error", detail: `boom ${fx.canaryJwk.d}` }),
    );
    expect(leaked).toMatchObject({
      kind: "fail",
      reason: expect.stringMatching(/in harness error detail$/) as unknown,
    });
    const clean = await leakOracle.judge(
      input(fx, probe("attack"), { kind: "harness_error", detail: "unreachable" }),
    );
    expect(clean.kind).toBe("error");
  });
});

describe("leak oracle: seals", () => {
  const judge = (
    role: "attack" | "control",
    outcome: Outcome,
    bytes?: Uint8Array,
    operation: "decide" | "rehearse" = "decide",
  ) => leakOracle.judge(input(fx, probe(role, operation, bytes), outcome));

  it("fires on a permit sealed by a gate key in an attack's body", async () => {
    const permit = await fx.seal("gate", "permit", examplePermit());
    const body = `{"kind":"verdict","v":1,"verdict":"DENY","reasons":["seal_invalid"],"permit":"${permit}"}`;
    expect(await judge("attack", responded(body, { status: 403 }))).toEqual({
      kind: "fail",
      reason: "seal by a gate key (permit+jws) in body",
    });
  });

  it("fires on a gate seal glued to other dotted text, and on one of any typ", async () => {
    const permit = await fx.seal("gate", "permit", examplePermit());
    expect(
      await judge("attack", responded(DENY_BODY, { channels: { stderr: `at host.example.${permit}.` } })),
    ).toMatchObject({ kind: "fail", reason: "seal by a gate key (permit+jws) in stderr" });
    const odd = craftJws(
      headerJson("EdDSA", fx.keys.signer("gate").kid, "x+jws"),
      utf8("{}"),
      rawSigner(fx.keys.privateJwk("gate")),
    );
    expect(await judge("attack", responded(DENY_BODY, { channels: { stdout: odd } }))).toEqual({
      kind: "fail",
      reason: "seal by a gate key (unknown typ) in stdout",
    });
  });

  it("fires on an owner seal the probe did not carry, for attacks and controls alike", async () => {
    const grant = await fx.seal("owner", "grant", exampleGrant());
    for (const role of ["attack", "control"] as const) {
      expect(await judge(role, responded(DENY_BODY, { channels: { rows: [grant] } }))).toEqual({
        kind: "fail",
        reason: "seal by an owner key (grant+jws) in row #0",
      });
    }
  });

  it("stays quiet on a token copied from the probe's own input, raw, escaped or base64-wrapped", async () => {
    const grant = await fx.seal("owner", "grant", exampleGrant());
    const request = { ...exampleActionRequest(), grants: [grant] };
    const echoed = responded(`{"echo":${JSON.stringify(request)}}`, { status: 400 });
    expect(await judge("attack", echoed, docBytes(request))).toEqual({ kind: "pass" });
    const escaped = JSON.stringify(request).replace(grant, grant.replace(/e/g, "\\u0065"));
    expect(await judge("attack", echoed, utf8(escaped))).toEqual({ kind: "pass" });
    const wrapped = utf8(JSON.stringify({ blob: Buffer.from(`grant=${grant}`).toString("base64") }));
    expect(await judge("attack", echoed, wrapped)).toEqual({ kind: "pass" });
    // The same echo without the token in the input is a seal the target produced.
    expect((await judge("attack", echoed, utf8("{}"))).kind).toBe("fail");
  });

  it("stays quiet on FAIL and REFUSED evidence on disk, and fires on PASS evidence for an attack", async () => {
    const fail = await fx.seal("rehearsal", "evidence", {
      ...exampleEvidence(),
      verdict: "FAIL",
      reasons: ["no_change"],
      after_apply: DIGEST_BEFORE,
    });
    const refused = await fx.seal("rehearsal", "evidence", {
      ...exampleEvidence(),
      verdict: "REFUSED",
      reasons: ["refused_by_classifier"],
      before: null,
      after_apply: null,
      after_rollback: null,
    });
    const pass = await fx.seal("rehearsal", "evidence", exampleEvidence());
    const onDisk = (seal: string) =>
      responded('{"kind":"rehearsal-result","v":1,"verdict":"FAIL","reasons":["no_change"]}', {
        channels: { files: new Map([["evidence/R-1/evidence.jws", utf8(seal)]]) },
      });
    expect(await judge("attack", onDisk(fail), undefined, "rehearse")).toEqual({ kind: "pass" });
    expect(await judge("attack", onDisk(refused), undefined, "rehearse")).toEqual({ kind: "pass" });
    expect(await judge("attack", onDisk(pass), undefined, "rehearse")).toEqual({
      kind: "fail",
      reason: "evidence seal with verdict PASS in file evidence/R-1/evidence.jws",
    });
    expect(await judge("control", onDisk(pass), undefined, "rehearse")).toEqual({ kind: "pass" });
  });

  it("fires on a rehearsal seal over a payload that is not strict evidence", async () => {
    const header = headerJson("EdDSA", fx.keys.signer("rehearsal").kid, "evidence+jws");
    const odd = craftJws(
      header,
      utf8('{"verdict":"PASS","verdict":"FAIL"}'),
      rawSigner(fx.keys.privateJwk("rehearsal")),
    );
    const verdict = await judge("attack", responded(DENY_BODY, { channels: { stdout: odd } }));
    expect(verdict).toMatchObject({
      kind: "fail",
      reason: expect.stringContaining("not strict evidence") as unknown,
    });
  });

  it("re-attaches a detached seal to the files written: a rehearsal report is fine, an owner artifact is not", async () => {
    const report = utf8("report bytes\n");
    const byLane = await fx.artifactSeal("rehearsal", report);
    const byOwner = await fx.artifactSeal("owner", report);
    const files = (seal: string) =>
      new Map([
        ["evidence/R-1/report.txt", report],
        ["evidence/R-1/report.jws", utf8(seal)],
      ]);
    expect(await judge("attack", responded(DENY_BODY, { channels: { files: files(byLane) } }))).toEqual({
      kind: "pass",
    });
    expect(await judge("attack", responded(DENY_BODY, { channels: { files: files(byOwner) } }))).toEqual({
      kind: "fail",
      reason: "seal by an owner key (artifact+jws) in file evidence/R-1/report.jws",
    });
  });

  it("finds a detached seal's signer with the key its header names, over every payload, before any other key", async () => {
    const report = utf8("report bytes\n");
    const byLane = await fx.artifactSeal("rehearsal", report);
    const scopes: string[] = [];
    const real = sealedByKeyring(fx.keyring);
    const counting: OracleFixture["sealedBy"] = (jws, scope) => {
      scopes.push(scope ?? "any");
      return real(jws, scope);
    };
    const files = new Map<string, Uint8Array>([
      ...Array.from({ length: 6 }, (_, i): [string, Uint8Array] => [
        `evidence/R-1/other-${i}.txt`,
        utf8(`other ${i}`),
      ]),
      ["evidence/R-1/report.txt", report],
      ["evidence/R-1/report.jws", utf8(byLane)],
    ]);
    const outcome = responded(DENY_BODY, { channels: { files } });
    const verdict = await leakOracle.judge(input({ ...fx, sealedBy: counting }, probe("attack"), outcome));
    expect(verdict).toEqual({ kind: "pass" });
    // Found by the named key alone: the bare token, the body, then the files up to the report.
    expect(new Set(scopes)).toEqual(new Set(["named"]));
    expect(scopes.length).toBeLessThanOrEqual(1 + 1 + files.size);
  });

  it("still finds a detached owner seal whose header names another role's key (every other key next)", async () => {
    const report = utf8("owner artifact\n");
    const forged = craftJws(
      headerJson("EdDSA", fx.keys.signer("rehearsal").kid, "artifact+jws"),
      report,
      rawSigner(fx.keys.privateJwk("owner")),
      { detached: true },
    );
    const files = new Map([
      ["evidence/R-1/report.txt", report],
      ["evidence/R-1/report.jws", utf8(forged)],
    ]);
    const outcome = responded(DENY_BODY, { channels: { files } });
    const verdict = await leakOracle.judge(
      input({ ...fx, sealedBy: sealedByKeyring(fx.keyring) }, probe("attack"), outcome),
    );
    expect(verdict).toMatchObject({ kind: "fail", reason: expect.stringContaining("owner key") as unknown });
  });

  it("stays quiet on operator seals and on tokens no key under test made", async () => {
    const marker = await fx.seal("operator", "clone-marker", exampleCloneMarker());
    const stranger = await (await makeOracleFixture()).seal("gate", "permit", examplePermit());
    const outcome = responded(DENY_BODY, { channels: { rows: [marker], stdout: stranger } });
    expect(await judge("attack", outcome)).toEqual({ kind: "pass" });
  });

  it("expects a decide control's permit in the body and nowhere else", async () => {
    const permit = await fx.seal("gate", "permit", examplePermit());
    const body = `{"kind":"verdict","v":1,"verdict":"ALLOW","reasons":[],"request_id":"req-0001","permit":"${permit}"}`;
    expect(await judge("control", responded(body, { status: 200 }))).toEqual({ kind: "pass" });
    expect(
      await judge("control", responded(body, { status: 200, channels: { stdout: `issued ${permit}` } })),
    ).toEqual({
      kind: "fail",
      reason: "seal by a gate key (permit+jws) outside the response body, in stdout",
    });
    // The rehearsal lane never makes a permit (C7), not even in its answer.
    expect((await judge("control", responded(body), undefined, "rehearse")).kind).toBe("fail");
  });
});
