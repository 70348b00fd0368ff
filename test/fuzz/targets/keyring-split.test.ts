/**
 * The keyring under test is split so that no component holds more than its share: the gate no
 * owner key it could forge grants with, the lane no owner or gate private key (C7), and the
 * operator share only the operator's signing key.
 */
import { describe, expect, it } from "vitest";
import { splitKeyring } from "../../../src/fuzz/targets/keyring-split.js";
import { combinedPrivateSet, generateKeyring, type JwkSetFile } from "../../../src/lane/seal/keygen.js";
import { loadKeyringFromSources, type Keyring, type KeyringSource } from "../../../src/lane/seal/keyring.js";
import type { Role } from "../../../src/lane/seal/roles.js";
import { sourcesOf } from "../../fixtures/broken-targets/keyring.js";

function privateRoles(keyring: Keyring): Role[] {
  return [...keyring.values()]
    .filter((entry) => entry.signKey !== undefined)
    .map((entry) => entry.role)
    .sort();
}

function roles(keyring: Keyring): Role[] {
  return [...new Set([...keyring.values()].map((entry) => entry.role))].sort();
}

const load = (sources: readonly KeyringSource[]): Promise<Keyring> =>
  loadKeyringFromSources(sources, { testMode: true });

describe("splitKeyring", () => {
  it("gives each Ed25519 holder its own private key and every public half", async () => {
    const generated = await generateKeyring();
    const split = splitKeyring(sourcesOf([combinedPrivateSet(generated), generated.publicSet]));
    const [gate, lane, operator] = await Promise.all([
      load(split.gate),
      load(split.lane),
      load(split.operator),
    ]);
    expect(privateRoles(gate)).toEqual(["gate"]);
    expect(roles(gate)).toEqual(["gate", "operator", "owner", "rehearsal"]);
    expect(privateRoles(lane)).toEqual(["rehearsal"]);
    expect(roles(lane)).toEqual(["gate", "operator", "owner", "rehearsal"]);
    expect(privateRoles(operator)).toEqual(["operator"]);
    expect(roles(operator)).toEqual(["operator"]);
    // No secret member of another role reaches a holder's bytes.
    const secretOf = (role: Role): string => generated.privateByRole.get(role)?.keys[0]?.["d"] ?? "";
    const text = (sources: readonly KeyringSource[]): string =>
      sources.map((s) => Buffer.from(s.bytes).toString("utf8")).join("\n");
    expect(text(split.gate)).not.toContain(secretOf("owner"));
    expect(text(split.lane)).not.toContain(secretOf("owner"));
    expect(text(split.lane)).not.toContain(secretOf("gate"));
    expect(text(split.operator)).not.toContain(secretOf("rehearsal"));
  });

  it("gives HMAC verifiers the secrets they verify with, and the lane never an owner or gate secret", async () => {
    const generated = await generateKeyring({ alg: "HS256" });
    const split = splitKeyring(sourcesOf([combinedPrivateSet(generated)]));
    const [gate, lane] = await Promise.all([load(split.gate), load(split.lane)]);
    expect(roles(gate)).toEqual(["gate", "owner", "rehearsal"]);
    expect(roles(lane)).toEqual(["operator", "rehearsal"]);
  });

  it("keeps every planted key of a holder's role, and the private half when a kid appears twice", async () => {
    const generated = await generateKeyring();
    const canaries = await generateKeyring({ roles: ["gate", "rehearsal", "owner"], kidPrefix: "canary" });
    const sets: JwkSetFile[] = [
      generated.publicSet,
      combinedPrivateSet(generated),
      canaries.publicSet,
      combinedPrivateSet(canaries),
    ];
    const split = splitKeyring(sourcesOf(sets));
    const gate = await load(split.gate);
    const lane = await load(split.lane);
    expect([...gate.values()].filter((e) => e.role === "gate" && e.signKey !== undefined)).toHaveLength(2);
    expect([...lane.values()].filter((e) => e.role === "rehearsal" && e.signKey !== undefined)).toHaveLength(
      2,
    );
    expect(privateRoles(lane)).toEqual(["rehearsal", "rehearsal"]);
    expect(gate.size).toBe(7);
  });

  it("refuses bytes that are not a JWK Set", () => {
    expect(() => splitKeyring([{ source: "x", bytes: new Uint8Array(Buffer.from("[]")) }])).toThrow(
      /not a JWK Set/,
    );
  });
});
