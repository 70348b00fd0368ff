import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  decodeSeals,
  fingerprintKeyring,
  recordAnswer,
  replayLines,
  shellWord,
} from "../../../src/fuzz/report/finding-evidence.js";
import { assertFindingIntact, expectedFindingId } from "../../../src/fuzz/report/finding-file.js";
import { NO_CHANNELS } from "../../../src/fuzz/targets/channels.js";
import { finding } from "./fixtures.js";

const clean = (): undefined => undefined;
const b64url = (text: string): string => Buffer.from(text).toString("base64url");

describe("recordAnswer", () => {
  const answer = (body: string) =>
    ({
      kind: "responded",
      elapsedMs: 1,
      status: 403,
      headers: { "content-type": "application/json" },
      body: new TextEncoder().encode(body),
      channels: NO_CHANNELS,
    }) as const;

  it("keeps status, headers and body, cut at 4096 characters", () => {
    expect(recordAnswer(answer('{"verdict":"DENY"}'), clean)).toEqual({
      kind: "responded",
      status: 403,
      headers: { "content-type": "application/json" },
      body: '{"verdict":"DENY"}',
      truncated: false,
    });
    const long = recordAnswer(answer("x".repeat(5000)), clean);
    expect(long).toMatchObject({ truncated: true });
    expect(long.kind === "responded" && long.body.length).toBe(4096);
  });

  it("withholds the whole answer when it holds a planted canary", () => {
    const recorded = recordAnswer(answer("the key is SECRET"), (text) =>
      text.includes("SECRET") ? "raw" : undefined,
    );
    expect(recorded).toEqual({ kind: "withheld", why: expect.stringContaining("canary (raw)") as string });
    expect(JSON.stringify(recorded)).not.toContain("SECRET");
  });
});

describe("decodeSeals", () => {
  it("decodes every compact JWS in the bytes, header and payload", () => {
    const jws = `${b64url('{"alg":"EdDSA","kid":"owner-1","typ":"grant+jws"}')}.${b64url('{"kind":"grant"}')}.c2ln`;
    const bytes = new TextEncoder().encode(JSON.stringify({ packet: jws, grants: [jws] }));
    expect(decodeSeals(bytes, clean)).toEqual([
      { header: '{"alg":"EdDSA","kid":"owner-1","typ":"grant+jws"}', payload: '{"kind":"grant"}' },
      { header: '{"alg":"EdDSA","kid":"owner-1","typ":"grant+jws"}', payload: '{"kind":"grant"}' },
    ]);
  });

  it("stays quiet on dotted text that is no JWS, and leaves out a seal holding a canary", () => {
    expect(decodeSeals(new TextEncoder().encode('{"host":"abcdefgh.ijklmnop.qrstuv"}'), clean)).toEqual([]);
    const jws = `${b64url('{"alg":"EdDSA"}')}.${b64url('{"k":"SECRET"}')}.c2ln`;
    expect(
      decodeSeals(new TextEncoder().encode(jws), (t) => (t.includes("SECRET") ? "raw" : undefined)),
    ).toEqual([]);
  });
});

describe("fingerprintKeyring", () => {
  it("gives kids, roles and RFC 7638 thumbprints, never key material", async () => {
    const jwk = {
      kty: "OKP",
      crv: "Ed25519",
      x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
      kid: "owner-1",
      role: "owner",
    };
    const prints = await fingerprintKeyring([
      { keys: [{ ...jwk, d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A" }] },
    ]);
    // RFC 8037 appendix A.3's thumbprint of this key.
    expect(prints).toEqual([
      { kid: "owner-1", role: "owner", thumbprint: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" },
    ]);
    expect(JSON.stringify(prints)).not.toContain("nWGxne");
  });
});

describe("replayLines", () => {
  it("names the finding, the target and every keyring, quoted for the shell; HTTP gets a curl line", () => {
    const lines = replayLines({
      program: "npx failclosed",
      findingPath: "out/findings/P01-0123456789abcdef.json",
      target: { kind: "http", url: "http://127.0.0.1:8080" },
      keyring: ["keys/owner.jwks.json", "my keys/gate.jwks.json"],
      operation: "decide",
      bytesB64: "e30=",
      plainProbe: true,
    });
    expect(lines.command).toBe(
      "npx failclosed replay out/findings/P01-0123456789abcdef.json --target http://127.0.0.1:8080 --keyring keys/owner.jwks.json --keyring 'my keys/gate.jwks.json'",
    );
    expect(lines.curl).toBe(
      "printf %s e30= | base64 -d | curl -sS -i -H 'content-type: application/json' --data-binary @- http://127.0.0.1:8080/v1/decide",
    );
  });

  it("gives no curl line for a child, a scenario or the reference lane", () => {
    const base = {
      program: "failclosed",
      findingPath: "f.json",
      keyring: [],
      operation: "decide" as const,
      bytesB64: "e30=",
      plainProbe: true,
    };
    expect(replayLines({ ...base, target: { kind: "reference" } })).toEqual({
      command: "failclosed replay f.json",
    });
    expect(replayLines({ ...base, target: { kind: "child", command: "sh -c 'x'" } }).curl).toBeUndefined();
    expect(
      replayLines({ ...base, target: { kind: "http", url: "http://h:1" }, plainProbe: false }).curl,
    ).toBeUndefined();
  });

  it("shellWord: /bin/sh reads back exactly the word it was given (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((s) => !s.includes("\0")),
        (word) => {
          const echoed = execFileSync("/bin/sh", ["-c", `printf %s ${shellWord(word)}`], {
            encoding: "utf8",
          });
          expect(echoed).toBe(word);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("a finding's id is its family and bytes", () => {
  it("accepts an intact finding and refuses one whose bytes or family were edited", () => {
    const bytesB64 = Buffer.from('{"a":1}').toString("base64");
    const intact = finding({ family: "P02", id: expectedFindingId("P02", bytesB64), bytesB64 });
    expect(() => assertFindingIntact(intact, "f.json")).not.toThrow();
    expect(() =>
      assertFindingIntact({ ...intact, bytesB64: Buffer.from("{}").toString("base64") }, "f.json"),
    ).toThrow(/does not match its family and bytes/);
    expect(() => assertFindingIntact({ ...intact, family: "P03" }, "f.json")).toThrow(
      /it was edited; refused/,
    );
  });
});
