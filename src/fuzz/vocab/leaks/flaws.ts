/**
 * P10's flaw table (F2, G7): inputs built to make the gate echo a permit, a seal or a key. Each
 * flaw carries something worth leaking (the request's own seals, a permit really signed by the gate
 * key, a template, format-string or path payload) and breaks a rule derived from its shape alone.
 *
 * The leak oracle ignores tokens the probe itself carried (raw, JSON- or percent-escaped, base64),
 * so tokens are also planted hex-encoded: a gate that decodes and echoes one is then caught.
 */
import fc from "fast-check";
import type { Role } from "../../../lane/index.js";
import { sealedBy } from "../../contract/contract.js";
import type { FamilyContext } from "../../types.js";
import type { Explained } from "../flaw.js";

/** Which real JWS a token payload carries. The permit is one the gate itself could have issued. */
export type Source = "permit" | "packet" | "grant" | "evidence";
export type Encoding = "raw" | "base64url" | "hex" | "HEX";

export type Payload =
  | {
      readonly kind: "token";
      readonly source: Source;
      readonly encoding: Encoding;
      readonly prefix: string;
      /** Filler before the token: 5,000 puts the string over R4's 4,096 characters. */
      readonly pad: 0 | 5_000;
    }
  | { readonly kind: "text"; readonly text: string };

/** Members of the request that hold a string. */
export type LeakSlot = "request_id" | "action" | "target" | "kind" | "packet" | "evidence" | "grant";
export type JwsSlot = "packet" | "grant" | "evidence";

export type Deep =
  | "grant of 5 KB"
  | "grant of 60 KB"
  | "packet nested 40 deep"
  | "packet payload is a permit JWS"
  | "packet payload is a permit"
  | "evidence with invalid UTF-8"
  | "evidence carrying a permit";

export type LeakFlaw =
  | { readonly kind: "member"; readonly slot: LeakSlot; readonly payload: Payload }
  | { readonly kind: "extra"; readonly name: string; readonly payload: Payload }
  | {
      readonly kind: "duplicate";
      readonly slot: "request_id" | "packet" | "evidence" | "action";
      readonly payload: Payload;
      readonly escapeName: boolean;
    }
  | { readonly kind: "kid"; readonly doc: JwsSlot; readonly kid: string }
  | { readonly kind: "deep"; readonly what: Deep };

export const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Template, format-string, path and shell payloads. None is an identifier, an enum value or a JWS. */
const TEXTS: readonly string[] = [
  "${permit}",
  "{{key}}",
  "{{ gate.private_key }}",
  "%s%s%s%s",
  "%x%x%n",
  "%(permit)s",
  "../../keys/gate.private.jwks.json",
  "..\\..\\keys\\gate.private.jwks.json",
  "file:///etc/failclosed/keys/gate.private.jwks.json",
  "$(cat keys/*.jwks.json)",
  "`cat keys/gate.private.jwks.json`",
  "#{permit}",
  "<%= permit %>",
  "${jndi:ldap://127.0.0.1/a}",
  "{0.__class__.__init__.__globals__}",
  "{{constructor.constructor('return process.env')()}}",
  "'; SELECT d FROM keys; --",
  "req\r\nX-Permit: ${permit}",
  "req\u0000${permit}",
  "%24%7Bpermit%7D",
];

const PREFIXES = ["", "req-", "Bearer ", "permit=", "${", "{{"] as const;

/** Kid tricks, with {owner}, {gate}, {rehearsal} standing for the kids under test. */
const KIDS: readonly string[] = [
  "../gate",
  "../{gate}",
  "{owner}/../{gate}",
  "../../keys/gate.private.jwks.json",
  "{gate}\u0000",
  "{owner}\u0000",
  "{owner} ",
  "{owner}\n",
  "{OWNER}",
  "{owner}..",
  "{gate}",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "%2e%2e%2fgate",
  "file:///keys/gate",
  "*",
];

/** The first value `weight` times as likely as each of the others, and first to shrink to. */
function favour<T>(first: T, weight: number, ...others: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { arbitrary: fc.constant(first), weight },
    { arbitrary: fc.constantFrom(...others), weight: 1 },
  );
}

/**
 * Bare, unpadded, raw tokens are favoured: a permit in the packet slot (S4) is the sharpest probe,
 * and with every part uniform it would be one draw in fifty.
 */
export const payloadArbitrary: fc.Arbitrary<Payload> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("token" as const),
      source: fc.constantFrom<Source>("permit", "packet", "grant", "evidence"),
      encoding: favour<Encoding>("raw", 2, "base64url", "hex", "HEX"),
      prefix: favour<(typeof PREFIXES)[number]>("", 3, ...PREFIXES.slice(1)),
      pad: favour<0 | 5_000>(0, 4, 5_000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("text" as const), text: fc.constantFrom(...TEXTS) }),
  },
);

/** A JWS slot holding the very JWS that belongs there is the valid request: not a probe. */
export function isOwnSeal(slot: LeakSlot, payload: Payload): boolean {
  return (
    payload.kind === "token" &&
    payload.encoding === "raw" &&
    payload.prefix === "" &&
    payload.pad === 0 &&
    payload.source === slot
  );
}

export const leakFlawArbitrary: fc.Arbitrary<LeakFlaw> = fc.oneof(
  fc
    .record({
      kind: fc.constant("member" as const),
      slot: fc.constantFrom<LeakSlot>(
        "request_id",
        "action",
        "target",
        "kind",
        "packet",
        "evidence",
        "grant",
      ),
      payload: payloadArbitrary,
    })
    .filter((f) => !isOwnSeal(f.slot, f.payload)),
  fc.record({
    kind: fc.constant("extra" as const),
    name: fc.constantFrom(
      "permit",
      "key",
      "jwk",
      "debug",
      "echo",
      "callback",
      "template",
      "x_trace",
      "${permit}",
    ),
    payload: payloadArbitrary,
  }),
  fc.record({
    kind: fc.constant("duplicate" as const),
    slot: fc.constantFrom("request_id" as const, "packet" as const, "evidence" as const, "action" as const),
    payload: payloadArbitrary,
    escapeName: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("kid" as const),
    doc: fc.constantFrom<JwsSlot>("packet", "grant", "evidence"),
    kid: fc.constantFrom(...KIDS),
  }),
  fc.record({
    kind: fc.constant("deep" as const),
    what: fc.constantFrom<Deep>(
      "grant of 5 KB",
      "grant of 60 KB",
      "packet nested 40 deep",
      "packet payload is a permit JWS",
      "packet payload is a permit",
      "evidence with invalid UTF-8",
      "evidence carrying a permit",
    ),
  }),
);

/** S1, from the fuzzer's contract: the one role that seals each JWS slot. */
export const ROLE_OF: Readonly<Record<JwsSlot, Role>> = {
  packet: sealedBy("decision-packet+jws")[0] ?? "owner",
  grant: sealedBy("grant+jws")[0] ?? "owner",
  evidence: sealedBy("evidence+jws")[0] ?? "rehearsal",
};

export function kidText(kid: string, ctx: FamilyContext): string {
  return kid
    .replaceAll("{owner}", ctx.kids.owner)
    .replaceAll("{gate}", ctx.kids.gate)
    .replaceAll("{OWNER}", ctx.kids.owner.toUpperCase());
}

function payloadName(payload: Payload): string {
  if (payload.kind === "text") return JSON.stringify(payload.text);
  const encoded = payload.encoding === "raw" ? "" : `${payload.encoding} of `;
  const prefix = payload.prefix === "" ? "" : ` after ${JSON.stringify(payload.prefix)}`;
  const pad = payload.pad === 0 ? "" : " and 5,000 filler characters";
  return `${encoded}the ${payload.source} JWS${prefix}${pad}`;
}

/** Why a string member holding this payload is malformed, derived from the payload's shape alone. */
function stringRule(slot: LeakSlot, payload: Payload): Explained {
  const what = payloadName(payload);
  if (payload.kind === "token" && payload.pad > 0)
    return { rule: "R4", what: `${slot} over 4,096 characters, holding ${what}` };
  switch (slot) {
    case "request_id":
      // Tokens are hundreds of characters and every text holds a character R11 forbids.
      return { rule: "R11", what: `request_id is not an identifier: ${what}` };
    case "action":
    case "target":
    case "kind":
      return { rule: "R7", what: `${slot} is not its enumerated value: ${what}` };
    case "packet":
    case "grant":
    case "evidence":
      if (payload.kind === "text" || payload.encoding !== "raw" || /[^A-Za-z0-9_-]/.test(payload.prefix))
        return { rule: "R7", what: `${slot} is not a compact JWS: ${what}` };
      if (payload.prefix !== "")
        return { rule: "S3", what: `${slot} JWS whose header a prefix corrupts: ${what}` };
      return { rule: "S4", what: `${slot} holds ${what}` };
  }
}

function kidRule(doc: JwsSlot, kid: string, ctx: FamilyContext): Explained | undefined {
  const resolved = kidText(kid, ctx);
  const shown = JSON.stringify(resolved);
  if (!IDENTIFIER.test(resolved))
    return { rule: "R11", what: `${doc} header kid ${shown} is not an identifier` };
  const key = ctx.keyring.get(resolved);
  if (key === undefined) return { rule: "S2", what: `${doc} header kid ${shown} is in no keyring` };
  // The doc's own key under its own kid would be a valid seal: never generated, never a probe.
  if (key.role === ROLE_OF[doc]) return undefined;
  return { rule: "S1", what: `${doc} header names the ${key.role} key ${shown}` };
}

const DEEP_RULES: Readonly<Record<Deep, Explained>> = {
  "grant of 5 KB": { rule: "R4", what: "a grant JWS over 4,096 characters (its payload padded to 5 KB)" },
  "grant of 60 KB": { rule: "R4", what: "request over 65,536 bytes (a grant JWS with a 60 KB payload)" },
  "packet nested 40 deep": { rule: "R4", what: "signed packet payload nested deeper than 32" },
  "packet payload is a permit JWS": {
    rule: "S5",
    what: "the signed packet payload is a permit JWS, not JSON",
  },
  "packet payload is a permit": { rule: "S4", what: "a permit's claims sealed as a decision-packet+jws" },
  "evidence with invalid UTF-8": { rule: "R1", what: "invalid UTF-8 in the signed evidence payload" },
  "evidence carrying a permit": { rule: "E3", what: "signed evidence with an extra member permit" },
};

export function explainLeakFlaw(flaw: LeakFlaw, ctx: FamilyContext): Explained | undefined {
  switch (flaw.kind) {
    case "member":
      return isOwnSeal(flaw.slot, flaw.payload) ? undefined : stringRule(flaw.slot, flaw.payload);
    case "extra":
      return flaw.payload.kind === "token" && flaw.payload.pad > 0
        ? {
            rule: "R4",
            what: `member ${flaw.name} over 4,096 characters, holding ${payloadName(flaw.payload)}`,
          }
        : { rule: "R7", what: `unknown member ${flaw.name} holding ${payloadName(flaw.payload)}` };
    case "duplicate":
      return { rule: "R3", what: `duplicate member ${flaw.slot} holding ${payloadName(flaw.payload)}` };
    case "kid":
      return kidRule(flaw.doc, flaw.kid, ctx);
    case "deep":
      return DEEP_RULES[flaw.what];
  }
}

export function describeLeakFlaw(flaw: LeakFlaw): string {
  switch (flaw.kind) {
    case "member":
      return `${flaw.slot} replaced by ${payloadName(flaw.payload)}`;
    case "extra":
      return `extra member \`${flaw.name}\` holding ${payloadName(flaw.payload)}`;
    case "duplicate":
      return `duplicate member \`${flaw.slot}\`${flaw.escapeName ? " (name escaped)" : ""} holding ${payloadName(flaw.payload)}`;
    case "kid":
      return `${flaw.doc} sealed by its own key under kid ${JSON.stringify(flaw.kid)}`;
    case "deep":
      return flaw.what;
  }
}
