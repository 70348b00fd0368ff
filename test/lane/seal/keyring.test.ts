/**
 * Keyrings (SPEC S1, S2, S7): loading refuses, with a stable FailclosedError code, every keyring a
 * component must not start with, and accepts the ones it must; `keys init` writes a keyring that
 * loads back, signs and verifies, with private files no one else can read.
 */
import { readFile, stat, writeFile, chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JwkSetFile, KeyringOptions, KeyringSource } from "../../../src/lane/seal/index.js";
import {
  MIN_HMAC_SECRET_BYTES,
  PUBLIC_KEYRING_FILE,
  ROLES,
  combinedPrivateSet,
  generateKeyring,
  initKeyringDirectory,
  loadKeyring,
  loadKeyringFromSources,
  privateKeyringFile,
  requireSigner,
  requireVerifier,
  sealDocument,
  verifySealedDocument,
} from "../../../src/lane/seal/index.js";
import { exampleGrant } from "../../support/documents.js";
import { sourceOf, tempDir, writeKeyringDir } from "../../support/keyrings.js";

const PROD: KeyringOptions = { testMode: false };
const TEST: KeyringOptions = { testMode: true };

/** RFC 8037 appendix A.1: a published Ed25519 key pair. */
const RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
/** RFC 7515 appendix A.1: a published HMAC key (64 bytes). */
const RFC7515_K = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
/** RFC 7520 section 3.5: another published HMAC key (32 bytes). */
const RFC7520_K = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function scratch(): Promise<string> {
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  return dir;
}

function load(
  sources: KeyringSource | readonly KeyringSource[],
  options = PROD,
): ReturnType<typeof loadKeyringFromSources> {
  return loadKeyringFromSources(Array.isArray(sources) ? sources : [sources as KeyringSource], options);
}

function raw(text: string, mode?: number): KeyringSource {
  const bytes = new Uint8Array(Buffer.from(text, "utf8"));
  return mode === undefined ? { source: "memory:raw", bytes } : { source: "memory:raw", bytes, mode };
}

async function edKey(role = "owner"): Promise<Record<string, string>> {
  const generated = await generateKeyring({ roles: ["owner"] });
  const key = generated.privateByRole.get("owner")?.keys[0];
  if (key === undefined) throw new Error("setup");
  return { ...key, role };
}

function octKey(bytes: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    kty: "oct",
    k: Buffer.alloc(bytes, 0x5a).toString("base64url"),
    kid: `hmac-${bytes}`,
    alg: "HS256",
    role: "owner",
    ...extra,
  };
}

/** Resolves to the FailclosedError code the promise rejects with, or "loaded". */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "loaded";
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string") throw error;
    return code;
  }
}

function thrownCode(run: () => unknown): string {
  try {
    run();
    return "returned";
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

describe("generated keyrings load (positive controls)", () => {
  it("EdDSA: private and public sets of every role load and give a signer per role", async () => {
    const generated = await generateKeyring();
    const keyring = await load([sourceOf(combinedPrivateSet(generated)), sourceOf(generated.publicSet)]);
    for (const role of ROLES) {
      const signer = requireSigner(keyring, role);
      expect(signer.role).toBe(role);
      expect(signer.alg).toBe("EdDSA");
      expect(signer.signKey).toBeDefined();
    }
    expect(keyring).toBeInstanceOf(Map);
    expect(keyring.size).toBe(ROLES.length);
  });

  it("HS256: secrets of 32 bytes load", async () => {
    const generated = await generateKeyring({ alg: "HS256" });
    const keyring = await load(sourceOf(combinedPrivateSet(generated)));
    for (const role of ROLES) expect(requireSigner(keyring, role).alg).toBe("HS256");
    expect(MIN_HMAC_SECRET_BYTES).toBe(32);
    expect(await outcome(load(sourceOf({ keys: [octKey(32)] })))).toBe("loaded");
    expect(await outcome(load(sourceOf({ keys: [octKey(64)] })))).toBe("loaded");
  });

  it("keeps no raw secret member on the loaded entries", async () => {
    const generated = await generateKeyring();
    const keyring = await load(sourceOf(combinedPrivateSet(generated)));
    const d = generated.privateByRole.get("owner")?.keys[0]?.["d"] ?? "";
    for (const entry of keyring.values()) {
      expect(JSON.stringify(entry)).not.toContain(d);
      expect(Object.keys(entry)).not.toContain("d");
      expect(Object.keys(entry)).not.toContain("k");
    }
  });
});

describe("files and strict JSON (S7)", () => {
  it("refuses a missing file with FILE_UNREADABLE", async () => {
    const dir = await scratch();
    expect(await outcome(loadKeyring([join(dir, "absent.jwks.json")], PROD))).toBe("FILE_UNREADABLE");
  });

  it("refuses a directory given as a keyring file with FILE_UNREADABLE", async () => {
    const dir = await scratch();
    expect(await outcome(loadKeyring([dir], PROD))).toBe("FILE_UNREADABLE");
  });

  it("refuses an empty list of files with KEY_MISSING", async () => {
    expect(await outcome(loadKeyring([], PROD))).toBe("KEY_MISSING");
  });

  it("refuses keyrings that are not strict JSON with KEYRING_INVALID", async () => {
    const key = JSON.stringify(octKey(32));
    const texts = [
      "",
      "not json",
      `{"keys":[${key}],}`,
      `\ufeff{"keys":[${key}]}`,
      `{"keys":[${key}],"keys":[${key}]}`,
      `{"keys":[${key.replace('"alg":"HS256"', '"alg":"HS256","alg":"HS256"')}]}`,
      `{"keys":[${key}],"__proto__":{"failclosed_test_only":false}}`,
      `{"keys":[${key}]} trailing`,
      `{"keys":[${key.replace('"kid":"hmac-32"', '"kid":"hmac-\\ud800"')}]}`,
    ];
    for (const text of texts)
      expect(await outcome(load(raw(text))), text.slice(0, 40)).toBe("KEYRING_INVALID");
  });

  it("refuses keyrings that do not fit the keyring schema with KEYRING_INVALID", async () => {
    const ed = await edKey();
    const sets: unknown[] = [
      [],
      {},
      { keys: [] },
      { keys: [ed], extra: true },
      { keys: [{ ...ed, x5c: ["MIIB"] }] },
      { keys: [{ ...ed, kty: "EC" }] },
      { keys: [{ ...ed, crv: "X25519" }] },
      { keys: [{ ...ed, use: "enc" }] },
      { keys: [{ ...ed, kid: "../owner" }] },
      { keys: [{ ...ed, k: "AAAA" }] },
      { keys: [{ ...octKey(32), x: ed["x"] }] },
      { keys: [{ ...octKey(32), kid: undefined }] },
      { keys: [{ ...ed, x: `${ed["x"]}A` }] },
      { keys: [{ ...ed, failclosed_test_only: true }] },
    ];
    for (const set of sets)
      expect(await outcome(load(sourceOf(set as object))), JSON.stringify(set).slice(0, 60)).toBe(
        "KEYRING_INVALID",
      );
  });

  it("refuses unknown roles and role look-alikes with KEYRING_INVALID (R8)", async () => {
    for (const role of ["admin", "Owner", "owner ", "\u043ewner", "ｏwner", "own\u200der", ""]) {
      expect(await outcome(load(sourceOf({ keys: [await edKey(role)] }))), role).toBe("KEYRING_INVALID");
      expect(await outcome(load(sourceOf({ keys: [octKey(32, { role })] }))), role).toBe("KEYRING_INVALID");
    }
  });

  it("refuses non-canonical base64url key material with KEYRING_INVALID", async () => {
    const ed = await edKey();
    const x = ed["x"] ?? "";
    // 43 characters hold 32 bytes and 2 unused bits: setting one keeps the bytes, not the text.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sloppyX = x.slice(0, -1) + alphabet[alphabet.indexOf(x.slice(-1)) ^ 0b01];
    expect(Buffer.from(sloppyX, "base64url").equals(Buffer.from(x, "base64url"))).toBe(true);
    expect(await outcome(load(sourceOf({ keys: [{ ...ed, x: sloppyX, d: undefined }] })))).toBe(
      "KEYRING_INVALID",
    );
    const k = octKey(32)["k"] ?? "";
    const sloppyK = k.slice(0, -1) + alphabet[alphabet.indexOf(k.slice(-1)) ^ 0b01];
    expect(await outcome(load(sourceOf({ keys: [octKey(32, { k: sloppyK })] })))).toBe("KEYRING_INVALID");
  });
});

describe("key material (S2, S7)", () => {
  it("refuses an HMAC secret of 31 bytes with HMAC_SECRET_TOO_SHORT", async () => {
    expect(await outcome(load(sourceOf({ keys: [octKey(31)] })))).toBe("HMAC_SECRET_TOO_SHORT");
    expect(await outcome(load(sourceOf({ keys: [octKey(1)] })))).toBe("HMAC_SECRET_TOO_SHORT");
    // Test mode does not lower the bar.
    expect(await outcome(load(sourceOf({ keys: [octKey(31)] }), TEST))).toBe("HMAC_SECRET_TOO_SHORT");
  });

  it("refuses an alg that does not fit the key type with KEY_ALG_MISMATCH", async () => {
    const ed = await edKey();
    const cases: Array<Record<string, string | undefined>> = [
      { ...octKey(32), alg: "EdDSA" },
      { ...octKey(32), alg: "HS512" },
      { ...octKey(32), alg: "RS256" },
      { ...octKey(32), alg: "none" },
      { ...octKey(32), alg: "hs256" },
      { ...ed, alg: "HS256" },
      { ...ed, alg: "RS256" },
      { ...ed, alg: "ES256" },
      { ...ed, alg: "Ed25519" },
      { ...ed, alg: "eddsa" },
      { ...ed, alg: "" },
    ];
    for (const key of cases)
      expect(await outcome(load(sourceOf({ keys: [key] }))), key["alg"]).toBe("KEY_ALG_MISMATCH");
  });

  it("refuses a private half that does not match its public half with KEYRING_INVALID", async () => {
    const a = await edKey();
    const b = await edKey();
    expect(await outcome(load(sourceOf({ keys: [{ ...a, d: b["d"] }] })))).toBe("KEYRING_INVALID");
    expect(await outcome(load(sourceOf({ keys: [{ ...a, d: "A".repeat(42) + "A" }] })))).toBe(
      "KEYRING_INVALID",
    );
  });

  it("does not echo secret key material in its error messages", async () => {
    const a = await edKey();
    const b = await edKey();
    const short = octKey(31);
    for (const keys of [
      [{ ...a, d: b["d"] }],
      [short],
      [{ ...short, k: Buffer.alloc(40, 1).toString("base64url"), alg: "EdDSA" }],
    ]) {
      const error = await load(sourceOf({ keys })).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeDefined();
      for (const secret of [a["d"], b["d"], short["k"], Buffer.alloc(40, 1).toString("base64url")]) {
        expect(error?.message ?? "").not.toContain(secret);
      }
    }
  });

  it("refuses the same kid twice with different keys or roles with KEYRING_INVALID", async () => {
    const a = await edKey();
    const b = { ...(await edKey()), kid: a["kid"] ?? "" };
    expect(await outcome(load(sourceOf({ keys: [a, b] })))).toBe("KEYRING_INVALID");
    expect(await outcome(load([sourceOf({ keys: [a] }), sourceOf({ keys: [b] })]))).toBe("KEYRING_INVALID");
    const publicA = { ...a, d: undefined };
    expect(
      await outcome(load([sourceOf({ keys: [publicA] }), sourceOf({ keys: [{ ...a, role: "gate" }] })])),
    ).toBe("KEYRING_INVALID");
    expect(await outcome(load(sourceOf({ keys: [octKey(32), octKey(32)] })))).toBe("KEYRING_INVALID");
    expect(await outcome(load(sourceOf({ keys: [octKey(32), { ...octKey(33), kid: "hmac-32" }] })))).toBe(
      "KEYRING_INVALID",
    );
    // Two private halves of one key are a duplicate too: one file per private key.
    expect(await outcome(load([sourceOf({ keys: [a] }), sourceOf({ keys: [a] })]))).toBe("KEYRING_INVALID");
  });

  it("merges the public and the private file of the same key, in either order", async () => {
    const generated = await generateKeyring({ roles: ["owner"] });
    const privateSet = generated.privateByRole.get("owner") as JwkSetFile;
    for (const order of [
      [sourceOf(generated.publicSet), sourceOf(privateSet)],
      [sourceOf(privateSet), sourceOf(generated.publicSet)],
    ]) {
      const keyring = await load(order);
      expect(keyring.size).toBe(1);
      const signer = requireSigner(keyring, "owner");
      const jws = await sealDocument(signer, "grant", exampleGrant());
      expect((await verifySealedDocument(keyring, "grant", jws)).ok).toBe(true);
    }
  });
});

describe("published example keys and test-only keyrings (S7)", () => {
  const rfc8037 = {
    kty: "OKP",
    crv: "Ed25519",
    x: RFC8037_X,
    d: RFC8037_D,
    kid: "rfc8037-a1",
    alg: "EdDSA",
    role: "owner",
  };

  it("refuses the RFC 8037 key outside test mode with EXAMPLE_KEY_REFUSED, private or public", async () => {
    expect(await outcome(load(sourceOf({ keys: [rfc8037] })))).toBe("EXAMPLE_KEY_REFUSED");
    expect(await outcome(load(sourceOf({ keys: [{ ...rfc8037, d: undefined }] })))).toBe(
      "EXAMPLE_KEY_REFUSED",
    );
  });

  it("accepts the RFC 8037 key in test mode, and it signs and verifies there", async () => {
    const keyring = await load(sourceOf({ keys: [rfc8037] }), TEST);
    const jws = await sealDocument(requireSigner(keyring, "owner"), "grant", exampleGrant());
    expect((await verifySealedDocument(keyring, "grant", jws)).ok).toBe(true);
  });

  it("refuses the RFC 7515 and RFC 7520 HMAC keys outside test mode, accepts them in test mode", async () => {
    for (const k of [RFC7515_K, RFC7520_K]) {
      const set = { keys: [{ kty: "oct", k, kid: "rfc-hmac", alg: "HS256", role: "owner" }] };
      expect(await outcome(load(sourceOf(set)))).toBe("EXAMPLE_KEY_REFUSED");
      expect(await outcome(load(sourceOf(set), TEST))).toBe("loaded");
    }
  });

  it("refuses a keyring marked failclosed_test_only outside test mode with TEST_KEYRING_REFUSED", async () => {
    const generated = await generateKeyring({ testOnly: true });
    expect(combinedPrivateSet(generated).failclosed_test_only).toBe(true);
    expect(await outcome(load(sourceOf(combinedPrivateSet(generated))))).toBe("TEST_KEYRING_REFUSED");
    expect(await outcome(load(sourceOf(generated.publicSet)))).toBe("TEST_KEYRING_REFUSED");
    expect(await outcome(load(sourceOf(combinedPrivateSet(generated)), TEST))).toBe("loaded");
    // An explicit false is no marker.
    const plain = await generateKeyring();
    expect(await outcome(load(sourceOf({ ...combinedPrivateSet(plain), failclosed_test_only: false })))).toBe(
      "loaded",
    );
  });
});

describe("file permissions (S7)", () => {
  it("refuses a private keyring file with mode 0644 outside test mode with KEYRING_PERMISSIONS", async () => {
    const dir = await scratch();
    const written = await writeKeyringDir(await generateKeyring(), dir, 0o644);
    const owner = written.privatePaths.get("owner") ?? "";
    expect((await stat(owner)).mode & 0o777).toBe(0o644);
    expect(await outcome(loadKeyring([owner], PROD))).toBe("KEYRING_PERMISSIONS");
    for (const mode of [0o640, 0o604, 0o660, 0o700 | 0o004]) {
      await chmod(owner, mode);
      expect(await outcome(loadKeyring([owner], PROD)), mode.toString(8)).toBe("KEYRING_PERMISSIONS");
    }
  });

  it("accepts mode 0600 (and 0400) private files and a 0644 public file", async () => {
    const dir = await scratch();
    const written = await writeKeyringDir(await generateKeyring(), dir, 0o600);
    const paths = [...written.privatePaths.values(), written.publicPath];
    const keyring = await loadKeyring(paths, PROD);
    for (const role of ROLES) expect(requireSigner(keyring, role).role).toBe(role);
    const owner = written.privatePaths.get("owner") ?? "";
    await chmod(owner, 0o400);
    expect(await outcome(loadKeyring([owner], PROD))).toBe("loaded");
  });

  it("accepts a 0644 private file in test mode (fixtures in a repository)", async () => {
    const dir = await scratch();
    const written = await writeKeyringDir(await generateKeyring(), dir, 0o644);
    expect(await outcome(loadKeyring([written.privatePaths.get("gate") ?? ""], TEST))).toBe("loaded");
  });

  it("applies the same rule to in-memory sources that carry a mode, and to HMAC secrets", async () => {
    const generated = await generateKeyring({ alg: "HS256" });
    const set = combinedPrivateSet(generated);
    expect(await outcome(load(sourceOf(set, "memory", 0o100644)))).toBe("KEYRING_PERMISSIONS");
    expect(await outcome(load(sourceOf(set, "memory", 0o100600)))).toBe("loaded");
  });
});

describe("requireSigner and requireVerifier (S7)", () => {
  it("returns the signing key of the role, also by kid", async () => {
    const generated = await generateKeyring();
    const keyring = await load(sourceOf(combinedPrivateSet(generated)));
    const gate = requireSigner(keyring, "gate");
    expect(requireSigner(keyring, "gate", gate.kid)).toBe(gate);
  });

  it("refuses a missing role with KEY_MISSING", async () => {
    const generated = await generateKeyring({ roles: ["owner"] });
    const keyring = await load(sourceOf(combinedPrivateSet(generated)));
    for (const role of ["operator", "gate", "rehearsal"] as const) {
      expect(
        thrownCode(() => requireSigner(keyring, role)),
        role,
      ).toBe("KEY_MISSING");
      expect(
        thrownCode(() => requireVerifier(keyring, role)),
        role,
      ).toBe("KEY_MISSING");
    }
    expect(thrownCode(() => requireVerifier(keyring, "owner"))).toBe("returned");
  });

  it("refuses a kid of another role with KEY_WRONG_ROLE and an unknown kid with KEY_MISSING", async () => {
    const generated = await generateKeyring();
    const keyring = await load(sourceOf(combinedPrivateSet(generated)));
    const ownerKid = requireSigner(keyring, "owner").kid;
    expect(thrownCode(() => requireSigner(keyring, "gate", ownerKid))).toBe("KEY_WRONG_ROLE");
    expect(thrownCode(() => requireSigner(keyring, "gate", "gate-00000000"))).toBe("KEY_MISSING");
  });

  it("refuses a public-only key with KEY_MISSING, by role and by kid", async () => {
    const generated = await generateKeyring();
    const keyring = await load(sourceOf(generated.publicSet));
    for (const role of ROLES) {
      expect(
        thrownCode(() => requireSigner(keyring, role)),
        role,
      ).toBe("KEY_MISSING");
      expect(
        thrownCode(() => requireVerifier(keyring, role)),
        role,
      ).toBe("returned");
    }
    const kid = generated.publicSet.keys[0]?.["kid"] ?? "";
    const role = generated.publicSet.keys[0]?.["role"] as (typeof ROLES)[number];
    expect(thrownCode(() => requireSigner(keyring, role, kid))).toBe("KEY_MISSING");
  });
});

describe("initKeyringDirectory (keys init)", () => {
  it("writes one 0600 private file per role and a public file, in a 0700 directory", async () => {
    const dir = join(await scratch(), "keys");
    const written = await initKeyringDirectory(dir);
    const expected = [
      ...ROLES.map((role) => join(dir, privateKeyringFile(role))),
      join(dir, PUBLIC_KEYRING_FILE),
    ];
    expect([...written].sort()).toEqual([...expected].sort());
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const role of ROLES) {
      const path = join(dir, privateKeyringFile(role));
      expect((await stat(path)).mode & 0o777, role).toBe(0o600);
      const set = JSON.parse(await readFile(path, "utf8")) as JwkSetFile;
      // Each holder gets only its own signing key.
      expect(set.keys.map((k) => k["role"])).toEqual([role]);
      expect(set.keys[0]?.["d"]).toBeDefined();
      expect(set.failclosed_test_only).toBeUndefined();
    }
    expect((await stat(join(dir, PUBLIC_KEYRING_FILE))).mode & 0o777).toBe(0o644);
  });

  it("writes a public file with no private member (no d, no k)", async () => {
    const dir = join(await scratch(), "keys");
    await initKeyringDirectory(dir);
    const text = await readFile(join(dir, PUBLIC_KEYRING_FILE), "utf8");
    const set = JSON.parse(text) as JwkSetFile;
    expect(set.keys.map((k) => k["role"]).sort()).toEqual([...ROLES].sort());
    for (const key of set.keys) {
      expect(Object.keys(key)).not.toContain("d");
      expect(Object.keys(key)).not.toContain("k");
    }
    expect(text).not.toMatch(/"d"\s*:|"k"\s*:/);
    for (const role of ROLES) {
      const privateText = await readFile(join(dir, privateKeyringFile(role)), "utf8");
      const d = (JSON.parse(privateText) as JwkSetFile).keys[0]?.["d"] ?? "";
      expect(d).toHaveLength(43);
      expect(text).not.toContain(d);
    }
  });

  it("writes what loads back outside test mode, signs and verifies", async () => {
    const dir = join(await scratch(), "keys");
    const written = await initKeyringDirectory(dir);
    const keyring = await loadKeyring(written, PROD);
    const verifier = await loadKeyring([join(dir, PUBLIC_KEYRING_FILE)], PROD);
    for (const role of ROLES) expect(requireSigner(keyring, role).role).toBe(role);
    const jws = await sealDocument(requireSigner(keyring, "owner"), "grant", exampleGrant());
    expect((await verifySealedDocument(verifier, "grant", jws)).ok).toBe(true);
    const ownerOnly = await loadKeyring([join(dir, privateKeyringFile("owner"))], PROD);
    expect(thrownCode(() => requireSigner(ownerOnly, "gate"))).toBe("KEY_MISSING");
  });

  it("refuses to overwrite an existing keyring with FILE_EXISTS and leaves it unchanged", async () => {
    const dir = join(await scratch(), "keys");
    await initKeyringDirectory(dir);
    const before = await readFile(join(dir, privateKeyringFile("owner")), "utf8");
    expect(await outcome(initKeyringDirectory(dir))).toBe("FILE_EXISTS");
    expect(await readFile(join(dir, privateKeyringFile("owner")), "utf8")).toBe(before);
  });

  it("refuses when any one target exists, before writing any file", async () => {
    const dir = join(await scratch(), "keys");
    await mkdir(dir, { mode: 0o700 });
    await writeFile(join(dir, PUBLIC_KEYRING_FILE), "{}");
    expect(await outcome(initKeyringDirectory(dir))).toBe("FILE_EXISTS");
    for (const role of ROLES) {
      expect(await outcome(stat(join(dir, privateKeyringFile(role)))), role).toBe("ENOENT");
    }
  });

  it("marks a test keyring, which is then refused outside test mode", async () => {
    const dir = join(await scratch(), "keys");
    const written = await initKeyringDirectory(dir, { testOnly: true });
    expect(await outcome(loadKeyring(written, PROD))).toBe("TEST_KEYRING_REFUSED");
    expect(await outcome(loadKeyring(written, TEST))).toBe("loaded");
  });
});
