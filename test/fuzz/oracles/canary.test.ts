/**
 * Canaries: every secret member of a keyring is extracted, the planted key is a real loadable key,
 * every encoding is long enough not to hit by chance, and the scanner finds each of them in text and
 * in bytes that are not UTF-8, including a PEM or DER dump of the key.
 */
import { createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CANARY_KID_PREFIX,
  MIN_ENCODING_LENGTH,
  canariesFromJwks,
  encodings,
  labelledEncodings,
  makeScanner,
  plantCanaryKey,
} from "../../../src/fuzz/canary/index.js";
import { combinedPrivateSet, generateKeyring, loadKeyringFromSources } from "../../../src/lane/seal/index.js";
import { sourceOf } from "../../support/keyrings.js";

describe("canariesFromJwks", () => {
  it("extracts d of every Ed25519 key and k of every HMAC key, and no public member", async () => {
    const ed = combinedPrivateSet(await generateKeyring());
    const hs = combinedPrivateSet(await generateKeyring({ alg: "HS256" }));
    const canaries = canariesFromJwks([ed, hs]);
    expect(canaries).toEqual([...ed.keys.map((key) => key["d"]), ...hs.keys.map((key) => key["k"])]);
    for (const key of ed.keys) expect(canaries).not.toContain(key["x"]);
  });

  it("extracts every RSA private member, multi-prime ones too, from a JWK, its JSON text or bytes", () => {
    const rsa = {
      kty: "RSA",
      n: "public-n",
      e: "AQAB",
      d: "D",
      p: "P",
      q: "Q",
      dp: "DP",
      dq: "DQ",
      qi: "QI",
    };
    const multi = { ...rsa, d: "D2", oth: [{ r: "R", d: "OD", t: "T" }] };
    expect(canariesFromJwks([rsa])).toEqual(["D", "P", "Q", "DP", "DQ", "QI"]);
    expect(canariesFromJwks([JSON.stringify({ keys: [multi] })])).toContain("OD");
    expect(canariesFromJwks([new TextEncoder().encode(JSON.stringify(multi))])).toEqual(
      expect.arrayContaining(["D2", "R", "OD", "T"]),
    );
  });

  it("deduplicates a secret present in two sets and returns nothing for public sets", async () => {
    const generated = await generateKeyring();
    const set = combinedPrivateSet(generated);
    expect(canariesFromJwks([set, set])).toHaveLength(set.keys.length);
    expect(canariesFromJwks([generated.publicSet])).toEqual([]);
  });

  it("throws on something that is neither a JWK Set nor a JWK, so the leak oracle is never blind", () => {
    expect(() => canariesFromJwks([42])).toThrow(/not a JWK Set/);
    expect(() => canariesFromJwks([{ key: [] }])).toThrow(/not a JWK Set/);
    expect(() => canariesFromJwks(["not json"])).toThrow();
  });
});

describe("plantCanaryKey", () => {
  it("is a fresh Ed25519 gate key with a canary- kid that the strict keyring loader accepts", async () => {
    const jwk = plantCanaryKey();
    expect(jwk.kid.startsWith(CANARY_KID_PREFIX)).toBe(true);
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", role: "gate" });
    const keyring = await loadKeyringFromSources([sourceOf({ keys: [jwk] })], { testMode: false });
    expect(keyring.get(jwk.kid)?.signKey).toBeDefined();
    expect(plantCanaryKey().d).not.toBe(jwk.d);
  });
});

describe("encodings", () => {
  const secret = plantCanaryKey().d;
  const bytes = Buffer.from(secret, "base64url");

  it("holds the forms the brief lists, and none shorter than the minimum", () => {
    const all = encodings(secret);
    const b64 = bytes.toString("base64");
    const hex = bytes.toString("hex");
    const percent = [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
    const json = [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    for (const form of [
      secret,
      b64,
      b64.replace(/=+$/, ""),
      bytes.toString("base64url"),
      hex,
      hex.toUpperCase(),
      percent,
      percent.toUpperCase(),
      json,
      json.toUpperCase().replaceAll("\\U", "\\u"),
      Buffer.from(secret).toString("base64"),
    ]) {
      expect(all).toContain(form);
    }
    for (const form of all) expect(form.length).toBeGreaterThanOrEqual(MIN_ENCODING_LENGTH);
    expect(new Set(all).size).toBe(all.length);
  });

  it("drops every form of a secret too short to search for, and the scanner refuses it", () => {
    expect(encodings("ab")).toEqual([]);
    expect(() => makeScanner(["ab"])).toThrow(/too short/);
    // Three characters already give an 18-character JSON escape, which is kept.
    expect(encodings("abc")).toEqual(["\\u0061\\u0062\\u0063"]);
  });

  it("treats a canary that is not base64url as its own UTF-8 bytes", () => {
    const labels = labelledEncodings("a planted secret, not base64").map((form) => form.encoding);
    expect(labels).toContain("raw");
    expect(labels).toContain("hex");
  });
});

describe("makeScanner", () => {
  const jwk = plantCanaryKey();
  const scan = makeScanner([jwk.d]);

  it("finds the key in a PEM dump, a DER dump, a Buffer printed by console.log and a JWK in a JWS", () => {
    const key = createPrivateKey({ key: { ...jwk }, format: "jwk" });
    expect(scan(key.export({ format: "pem", type: "pkcs8" }).toString())).toBe(
      "canary #0 (base64 embedded at 1)",
    );
    expect(scan(new Uint8Array(key.export({ format: "der", type: "pkcs8" })))).toBe("canary #0 (bytes)");
    const logged = `<Buffer ${Buffer.from(jwk.d, "base64url")
      .toString("hex")
      .replace(/(..)(?!$)/g, "$1 ")}>`;
    expect(scan(logged)).toBe("canary #0 (hex spaced)");
    for (const prefix of ["", "x", "xy"]) {
      const payload = Buffer.from(JSON.stringify({ [prefix]: 1, jwk })).toString("base64url");
      expect(scan(`eyJhbGciOiJFZERTQSJ9.${payload}.c2ln`)).toMatch(
        /^canary #0 \(base64(url)? of text embedded at \d\)$/,
      );
    }
  });

  it("searches bytes that are not UTF-8 and partial escapes", () => {
    const invalid = Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(jwk.d), Buffer.from([0x80])]);
    expect(scan(new Uint8Array(invalid))).toBe("canary #0 (raw)");
    // Every other character escaped: no run of 16 literal characters is left to match directly.
    const everyOther = (escape: (code: string) => string) =>
      [...jwk.d].map((c, i) => (i % 2 === 0 ? escape(c.charCodeAt(0).toString(16)) : c)).join("");
    expect(scan(`{"d":"${everyOther((hex) => `\\u00${hex}`)}"}`)).toBe("canary #0 (raw) after JSON unescape");
    expect(scan(`?k=${everyOther((hex) => `%${hex.toUpperCase()}`)}`)).toBe(
      "canary #0 (raw) after percent decode",
    );
  });

  it("finds standard base64 whose slashes a JSON encoder escaped", () => {
    // A key whose standard base64 holds a "/" at some position: found again after unescaping.
    let secret = "";
    while (!secret.includes("/")) secret = Buffer.from(plantCanaryKey().d, "base64url").toString("base64");
    const raw = Buffer.from(secret, "base64").toString("base64url");
    expect(makeScanner([raw])(`{"k":"${secret.replaceAll("/", "\\/")}"}`)).toMatch(
      /^canary #0 \(base64\) after JSON unescape$/,
    );
  });

  it("finds a non-ASCII canary in UTF-8 bytes", () => {
    const scanUnicode = makeScanner(["geheimnis-schlüssel-ü-ß-€"]);
    // Its "bytes" form is its UTF-8 bytes read as latin1: the same characters a byte haystack gives.
    expect(scanUnicode(utf8Bytes("… geheimnis-schlüssel-ü-ß-€ …"))).toBe("canary #0 (bytes)");
    expect(scanUnicode("… geheimnis-schlüssel-ü-ß-€ …")).toBe("canary #0 (raw)");
  });

  it("never hits without canaries, nor on text shorter than the window", () => {
    expect(makeScanner([])("anything at all, however long it may be")).toBeUndefined();
    expect(scan("short")).toBeUndefined();
    expect(scan("")).toBeUndefined();
  });

  it("reports which canary, by index, and never the secret", () => {
    const other = plantCanaryKey().d;
    const two = makeScanner([jwk.d, other]);
    const hit = two(`prefix ${Buffer.from(other, "base64url").toString("hex")} suffix`);
    expect(hit).toBe("canary #1 (hex)");
    expect(hit).not.toContain(other);
  });
});

function utf8Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "utf8"));
}
