import fc from "fast-check";
import {
  authorizedParts,
  authorizedRequest,
  formatTimestamp,
  headerOf,
  idFor,
  keyOf,
  labelOf,
  PACKET_ID,
  passingEvidence,
  rawJws,
  renderMutated,
  sealAs,
  type ActionRequest,
  type FamilyContext,
  type KeyEntry,
  type Mutation,
  type ProbeFamily,
  type Role,
  entropy,
} from "../src/index.js";

/**
 * P10 token-leak (SPEC F2, G7): inputs built to make the gate echo a permit, a seal or a key. Every
 * probe is the fully authorised QT001_APPLY request with one flaw, and the flaw carries something
 * worth leaking: the request's own seals, a permit-shaped JWS really signed by the gate key, or a
 * template, format-string or path payload that a careless error path would expand or echo.
 *
 * The leak oracle ignores tokens the probe itself carried (raw, JSON- or percent-escaped, base64),
 * so tokens are also planted hex-encoded: a gate that decodes and echoes one is then caught.
 */

/** Which real JWS a token payload carries. The permit is one the gate itself could have issued. */
type Source = "permit" | "packet" | "grant" | "evidence";
type Encoding = "raw" | "base64url" | "hex" | "HEX";

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
type Slot = "request_id" | "action" | "target" | "kind" | "packet" | "evidence" | "grant";
type JwsSlot = "packet" | "grant" | "evidence";

type Deep =
  | "grant of 5 KB"
  | "grant of 60 KB"
  | "packet nested 40 deep"
  | "packet payload is a permit JWS"
  | "packet payload is a permit"
  | "evidence with invalid UTF-8"
  | "evidence carrying a permit";

export type LeakFlaw =
  | { readonly kind: "member"; readonly slot: Slot; readonly payload: Payload }
  | { readonly kind: "extra"; readonly name: string; readonly payload: Payload }
  | {
      readonly kind: "duplicate";
      readonly slot: "request_id" | "packet" | "evidence" | "action";
      readonly payload: Payload;
      readonly escapeName: boolean;
    }
  | { readonly kind: "kid"; readonly doc: JwsSlot; readonly kid: string }
  | { readonly kind: "deep"; readonly what: Deep };

interface Value {
  readonly entropy: number;
  readonly flaw: LeakFlaw;
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

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
const payloadArb: fc.Arbitrary<Payload> = fc.oneof(
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
function isOwnSeal(slot: Slot, payload: Payload): boolean {
  return (
    payload.kind === "token" &&
    payload.encoding === "raw" &&
    payload.prefix === "" &&
    payload.pad === 0 &&
    payload.source === slot
  );
}

const flawArb: fc.Arbitrary<LeakFlaw> = fc.oneof(
  fc
    .record({
      kind: fc.constant("member" as const),
      slot: fc.constantFrom<Slot>("request_id", "action", "target", "kind", "packet", "evidence", "grant"),
      payload: payloadArb,
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
    payload: payloadArb,
  }),
  fc.record({
    kind: fc.constant("duplicate" as const),
    slot: fc.constantFrom("request_id" as const, "packet" as const, "evidence" as const, "action" as const),
    payload: payloadArb,
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

/**
 * The real seals of one probe's request, and a permit the gate key really signed for it. The
 * permit is sealed only when a flaw carries it: most flaws do not, and a signature is a good part
 * of the cost of rendering a probe.
 */
type Tokens = (source: Source) => Promise<string>;

const ROLE_OF: Readonly<Record<JwsSlot, Role>> = { packet: "owner", grant: "owner", evidence: "rehearsal" };
const TYP_OF: Readonly<Record<JwsSlot, string>> = {
  packet: "decision-packet+jws",
  grant: "grant+jws",
  evidence: "evidence+jws",
};

function permitFor(ctx: FamilyContext, label: string, grantIds: readonly string[]) {
  return {
    kind: "permit" as const,
    v: 1 as const,
    permit_id: idFor(ctx, "permit", label),
    request_id: idFor(ctx, "req", label),
    packet_id: PACKET_ID,
    action: "QT001_APPLY" as const,
    target: "production" as const,
    grants: grantIds,
    issued_at: formatTimestamp(ctx.now),
    expires_at: formatTimestamp(ctx.now + 900),
  };
}

function encode(text: string, encoding: Encoding): string {
  switch (encoding) {
    case "raw":
      return text;
    case "base64url":
      return Buffer.from(text, "utf8").toString("base64url");
    case "hex":
      return Buffer.from(text, "utf8").toString("hex");
    case "HEX":
      return Buffer.from(text, "utf8").toString("hex").toUpperCase();
  }
}

async function payloadText(payload: Payload, tokens: Tokens): Promise<string> {
  if (payload.kind === "text") return payload.text;
  const token = await tokens(payload.source);
  return `${payload.prefix}${"x".repeat(payload.pad)}${encode(token, payload.encoding)}`;
}

function kidText(kid: string, ctx: FamilyContext): string {
  return kid
    .replaceAll("{owner}", ctx.kids.owner)
    .replaceAll("{gate}", ctx.kids.gate)
    .replaceAll("{OWNER}", ctx.kids.owner.toUpperCase());
}

const lastGrant = (request: ActionRequest): string => request.grants.at(-1) ?? "";

async function render(value: Value, ctx: FamilyContext): Promise<Uint8Array> {
  const { flaw } = value;
  const label = labelOf(value);
  const parts = authorizedParts(ctx, label, "QT001_APPLY");
  const request = await authorizedRequest(ctx, parts);
  let permit: Promise<string> | undefined;
  const sealPermit = (): Promise<string> =>
    (permit ??= sealAs(
      ctx,
      "gate",
      "permit",
      permitFor(
        ctx,
        label,
        parts.grants.map((g) => g.grant_id),
      ),
    ));
  const tokens: Tokens = async (source) => {
    switch (source) {
      case "permit":
        return sealPermit();
      case "packet":
        return request.packet;
      case "grant":
        return lastGrant(request);
      case "evidence":
        return request.evidence ?? "";
    }
  };
  const owner = keyOf(ctx, "owner");
  const rehearsal = keyOf(ctx, "rehearsal");
  const json = (text: string): string => JSON.stringify(text);
  const withGrant = (grant: string): ActionRequest => ({
    ...request,
    grants: [...request.grants.slice(0, -1), grant],
  });

  switch (flaw.kind) {
    case "member": {
      const text = await payloadText(flaw.payload, tokens);
      if (flaw.slot === "grant") return renderMutated(withGrant(text), []);
      return renderMutated(request, [{ kind: "replace", path: [flaw.slot], raw: json(text) }]);
    }
    case "extra":
      return renderMutated(request, [
        { kind: "add", path: [], name: flaw.name, raw: json(await payloadText(flaw.payload, tokens)) },
      ]);
    case "duplicate": {
      const mutation: Mutation = {
        kind: "duplicate",
        path: [],
        name: flaw.slot,
        raw: json(await payloadText(flaw.payload, tokens)),
        escapeName: flaw.escapeName,
      };
      return renderMutated(request, [mutation]);
    }
    case "kid": {
      // Signed for real by the key that should seal this document; only the header's kid lies.
      const key = keyOf(ctx, ROLE_OF[flaw.doc]);
      const header = JSON.stringify({ alg: key.alg, kid: kidText(flaw.kid, ctx), typ: TYP_OF[flaw.doc] });
      const payload = {
        packet: () => parts.packet,
        grant: () => parts.grants.at(-1),
        evidence: () => evidenceOf(ctx, label, parts),
      }[flaw.doc]();
      const jws = await rawJws(header, renderMutated(payload, []), key);
      if (flaw.doc === "grant") return renderMutated(withGrant(jws), []);
      return renderMutated({ ...request, [flaw.doc]: jws }, []);
    }
    case "deep":
      return renderDeep(flaw.what, {
        ctx,
        label,
        request,
        permit: sealPermit,
        owner,
        rehearsal,
        parts,
        withGrant,
      });
  }
}

interface DeepInput {
  readonly ctx: FamilyContext;
  readonly label: string;
  readonly request: ActionRequest;
  readonly permit: () => Promise<string>;
  readonly owner: KeyEntry;
  readonly rehearsal: KeyEntry;
  readonly parts: ReturnType<typeof authorizedParts>;
  readonly withGrant: (grant: string) => ActionRequest;
}

/**
 * Documents correctly sealed by their holder whose signed bytes fail only after the signature
 * verifies: the error path runs deep inside the gate, where an echo of "what went wrong" is likeliest.
 */
async function renderDeep(what: Deep, d: DeepInput): Promise<Uint8Array> {
  const seal = (key: KeyEntry, typ: string, payload: Uint8Array | string): Promise<string> =>
    rawJws(headerOf(key, typ), payload, key);
  switch (what) {
    case "grant of 5 KB":
    case "grant of 60 KB": {
      // Whitespace is valid JSON: the grant itself is fine, only its size breaks R4.
      const pad = what === "grant of 5 KB" ? 5_000 : 60_000;
      const grant = Buffer.concat([
        Buffer.from(renderMutated(d.parts.grants.at(-1), [])),
        Buffer.alloc(pad, 0x20),
      ]);
      return renderMutated(d.withGrant(await seal(d.owner, "grant+jws", grant)), []);
    }
    case "packet nested 40 deep": {
      const nested = `${"[".repeat(40)}${JSON.stringify(await d.permit())}${"]".repeat(40)}`;
      const bytes = renderMutated(d.parts.packet, [{ kind: "replace", path: ["evidence"], raw: nested }]);
      return renderMutated({ ...d.request, packet: await seal(d.owner, "decision-packet+jws", bytes) }, []);
    }
    case "packet payload is a permit JWS":
      return renderMutated(
        { ...d.request, packet: await seal(d.owner, "decision-packet+jws", await d.permit()) },
        [],
      );
    case "packet payload is a permit": {
      const payload = Buffer.from((await d.permit()).split(".")[1] ?? "", "base64url");
      return renderMutated({ ...d.request, packet: await seal(d.owner, "decision-packet+jws", payload) }, []);
    }
    case "evidence with invalid UTF-8": {
      const claims = evidenceOf(d.ctx, d.label, d.parts);
      const bytes = Buffer.from(renderMutated(claims, []));
      const at = bytes.indexOf('"clone"') + 1;
      const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at)]);
      return renderMutated({ ...d.request, evidence: await seal(d.rehearsal, "evidence+jws", broken) }, []);
    }
    case "evidence carrying a permit": {
      const bytes = renderMutated(evidenceOf(d.ctx, d.label, d.parts), [
        { kind: "add", path: [], name: "permit", raw: JSON.stringify(await d.permit()) },
      ]);
      return renderMutated({ ...d.request, evidence: await seal(d.rehearsal, "evidence+jws", bytes) }, []);
    }
  }
}

/** The passing evidence claims the authorised request carries, to be sealed with a twist. */
function evidenceOf(ctx: FamilyContext, label: string, parts: ReturnType<typeof authorizedParts>) {
  const { artifactSha256, evidenceTree } = parts;
  if (artifactSha256 === undefined || evidenceTree === undefined) throw new Error("QT001_APPLY has evidence");
  return passingEvidence(ctx, label, artifactSha256, evidenceTree, parts.packet.packet_id);
}

function payloadName(payload: Payload): string {
  if (payload.kind === "text") return JSON.stringify(payload.text);
  const encoded = payload.encoding === "raw" ? "" : `${payload.encoding} of `;
  const prefix = payload.prefix === "" ? "" : ` after ${JSON.stringify(payload.prefix)}`;
  const pad = payload.pad === 0 ? "" : " and 5,000 filler characters";
  return `${encoded}the ${payload.source} JWS${prefix}${pad}`;
}

/** Why a string member holding this payload is malformed, derived from the payload's shape alone. */
function stringRule(slot: Slot, payload: Payload): string {
  const what = payloadName(payload);
  if (payload.kind === "token" && payload.pad > 0)
    return `R4: ${slot} over 4,096 characters, holding ${what}`;
  switch (slot) {
    case "request_id":
      // Tokens are hundreds of characters and every text holds a character R11 forbids.
      return `R11: request_id is not an identifier: ${what}`;
    case "action":
    case "target":
    case "kind":
      return `R7: ${slot} is not its enumerated value: ${what}`;
    case "packet":
    case "grant":
    case "evidence":
      if (payload.kind === "text" || payload.encoding !== "raw" || /[^A-Za-z0-9_-]/.test(payload.prefix))
        return `R7: ${slot} is not a compact JWS: ${what}`;
      if (payload.prefix !== "") return `S3: ${slot} JWS whose header a prefix corrupts: ${what}`;
      return `S4: ${slot} holds ${what}`;
  }
}

function kidRule(doc: JwsSlot, kid: string, ctx: FamilyContext): string | undefined {
  const resolved = kidText(kid, ctx);
  const shown = JSON.stringify(resolved);
  if (!IDENTIFIER.test(resolved)) return `R11: ${doc} header kid ${shown} is not an identifier`;
  const key = ctx.keyring.get(resolved);
  if (key === undefined) return `S2: ${doc} header kid ${shown} is in no keyring`;
  // The doc's own key under its own kid would be a valid seal: never generated, never a probe.
  if (key.role === ROLE_OF[doc]) return undefined;
  return `S1: ${doc} header names the ${key.role} key ${shown}`;
}

const DEEP_RULES: Readonly<Record<Deep, string>> = {
  "grant of 5 KB": "R4: a grant JWS over 4,096 characters (its payload padded to 5 KB)",
  "grant of 60 KB": "R4: request over 65,536 bytes (a grant JWS with a 60 KB payload)",
  "packet nested 40 deep": "R4: signed packet payload nested deeper than 32",
  "packet payload is a permit JWS": "S5: the signed packet payload is a permit JWS, not JSON",
  "packet payload is a permit": "S4: a permit's claims sealed as a decision-packet+jws",
  "evidence with invalid UTF-8": "R1: invalid UTF-8 in the signed evidence payload",
  "evidence carrying a permit": "E3: signed evidence with an extra member permit",
};

function breaks(value: Value, ctx: FamilyContext): string | undefined {
  const { flaw } = value;
  switch (flaw.kind) {
    case "member":
      return isOwnSeal(flaw.slot, flaw.payload) ? undefined : stringRule(flaw.slot, flaw.payload);
    case "extra":
      return flaw.payload.kind === "token" && flaw.payload.pad > 0
        ? `R4: member ${flaw.name} over 4,096 characters, holding ${payloadName(flaw.payload)}`
        : `R7: unknown member ${flaw.name} holding ${payloadName(flaw.payload)}`;
    case "duplicate":
      return `R3: duplicate member ${flaw.slot} holding ${payloadName(flaw.payload)}`;
    case "kid":
      return kidRule(flaw.doc, flaw.kid, ctx);
    case "deep":
      return DEEP_RULES[flaw.what];
  }
}

function describe(value: Value): string {
  const { flaw } = value;
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

export const family: ProbeFamily<Value> = {
  id: "P10",
  name: "token-leak",
  operation: "decide",
  role: "attack",
  rules: ["F2", "G7", "R1", "R3", "R4", "R7", "R11", "S1", "S2", "S3", "S4"],
  minRuns: 1_000,
  arbitrary: () => fc.record({ entropy: entropy(), flaw: flawArb }),
  render,
  breaks,
  describe,
};
