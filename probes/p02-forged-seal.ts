import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import {
  ACTIONS,
  BLOCKER_STATUSES,
  OPTIONS,
  ROLES,
  SEAL_TYPES,
  authorizedParts,
  authorizedRequest,
  chainByKey,
  describeBase,
  encodeDocument,
  keyOf,
  labelOf,
  lookalikes,
  packetBases,
  passingEvidence,
  rawJws,
  renderMutated,
  type Action,
  type AuthorizedParts,
  type DecisionPacket,
  type EvidenceClaims,
  type FamilyContext,
  type Grant,
  type KeyEntry,
  type PacketBase,
  type ProbeFamily,
  type Role,
  type SealType,
  entropy,
} from "../src/index.js";

/**
 * P02 forged-seal (S1-S6): a fully authorised request in which one or two seals (the packet's, a
 * grant's, the QT001 evidence's) carry one named flaw each. Everything else is exactly what a
 * correct gate allows, so the flaw is the only thing between the probe and a permit.
 */

/** Which sealed document of the request a forgery replaces. */
type Slot = "packet" | "grant-0" | "grant-1" | "evidence";
type SlotKind = "decision-packet" | "grant" | "evidence";

type ExtraMember =
  "crit" | "jwk" | "jwk-injected" | "jku" | "x5u" | "x5c" | "x5t" | "b64" | "zip" | "cty" | "custom";

type Flaw =
  /** One alphanumeric character of a string value rotated after signing; the payload stays valid. */
  | { readonly kind: "tamper-payload"; readonly offset: number }
  | { readonly kind: "tamper-signature"; readonly offset: number; readonly bit: number }
  | { readonly kind: "wrong-role"; readonly role: Role }
  /** A key the target never saw, under its own (unknown) kid. */
  | { readonly kind: "unknown-kid" }
  /** A key the target never saw, claiming the genuine signer's kid. */
  | { readonly kind: "stranger-known-kid" }
  /** alg "none": no signature, or the genuine key's valid signature over exactly these bytes. */
  | { readonly kind: "alg-none"; readonly alg: string; readonly signature: "empty" | "kept" }
  /** S2: keys come from a Map by exact kid; never a path, a query or an object's prototype. */
  | { readonly kind: "kid-trick"; readonly pattern: string }
  /** HS256 keyed with the genuine Ed25519 PUBLIC key: the classic algorithm confusion. */
  | { readonly kind: "hs256-public-key"; readonly secret: "x-bytes" | "x-text" | "jwk-json" }
  /** Signed by the genuine key, but the header names another algorithm. */
  | { readonly kind: "alg-mismatch"; readonly alg: string }
  | { readonly kind: "extra-header"; readonly member: ExtraMember }
  | {
      readonly kind: "duplicate-header";
      readonly member: "alg" | "kid" | "typ";
      readonly dup: "same" | "forged-first" | "forged-last";
    }
  | { readonly kind: "typ-other"; readonly typ: string }
  | { readonly kind: "typ-lookalike"; readonly typ: string }
  /** typ is right for the slot; the payload claims another kind. */
  | { readonly kind: "kind-mismatch"; readonly as: SlotKind; readonly how: "document" | "kind-member" }
  | { readonly kind: "padding"; readonly part: Part }
  | {
      readonly kind: "whitespace";
      readonly part: Part;
      readonly char: " " | "\n" | "\r\n" | "\t";
      readonly offset: number;
    }
  /** Signature only: a 64-byte signature always needs padding in the standard alphabet. */
  | { readonly kind: "standard-alphabet" }
  /** Signature only: 86 characters leave 4 unused bits in the last one. */
  | { readonly kind: "trailing-bits"; readonly bits: number }
  | { readonly kind: "parts"; readonly count: 1 | 2 | 4 | 5 }
  | { readonly kind: "detached" };

type Part = "header" | "payload" | "signature";

interface Forgery {
  readonly slot: Slot;
  readonly flaw: Flaw;
}

interface Value {
  readonly entropy: number;
  /** The packet the request is built on: built in, a seed of corpora/P02/seeds/, or schema-drawn. */
  readonly base: PacketBase;
  readonly action: Action;
  readonly forgeries: readonly Forgery[];
}

// ---------------------------------------------------------------------------------------------
// What each slot is
// ---------------------------------------------------------------------------------------------

/** SPEC G2/G3, stated here rather than imported from the gate: the probe encodes the contract. */
function neededGrants(action: Action): readonly Action[] {
  return action === "DRYRUN" || action === "REALRUN_PRECHECK" || action === "REAL_RUN"
    ? [action]
    : ["REAL_RUN", action];
}

function slotsOf(action: Action): Slot[] {
  const slots: Slot[] = ["packet", "grant-0"];
  if (neededGrants(action).length === 2) slots.push("grant-1");
  if (action === "QT001_APPLY") slots.push("evidence");
  return slots;
}

function kindOf(slot: Slot): SlotKind {
  if (slot === "packet") return "decision-packet";
  return slot === "evidence" ? "evidence" : "grant";
}

/** S1: the one role that may seal each kind. */
function sealerOf(kind: SlotKind): Role {
  return kind === "evidence" ? "rehearsal" : "owner";
}

const typOf = (kind: SlotKind): SealType => `${kind}+jws`;

function slotName(slot: Slot, action: Action): string {
  switch (slot) {
    case "packet":
      return "packet seal";
    case "evidence":
      return "evidence seal";
    case "grant-0":
    case "grant-1":
      return `${neededGrants(action)[slot === "grant-0" ? 0 : 1] ?? "?"} grant seal`;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const SEAL_TYPE_NAMES = Object.keys(SEAL_TYPES) as SealType[];
const EXTRA_MEMBERS: readonly ExtraMember[] = [
  "crit",
  "jwk",
  "jwk-injected",
  "jku",
  "x5u",
  "x5c",
  "x5t",
  "b64",
  "zip",
  "cty",
  "custom",
];

/** {kid} is the genuine signer's kid, {KID} the same upper-cased. */
const KID_TRICKS = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "../{kid}",
  "{kid}/../{kid}",
  "{kid}?role=owner",
  "{KID}",
  "{kid} ",
  "{kid}\u0000",
];

function flawArbitrary(slot: Slot): fc.Arbitrary<Flaw> {
  const kind = kindOf(slot);
  const typ = typOf(kind);
  const part = fc.constantFrom<Part>("header", "payload", "signature");
  return fc.oneof(
    fc.nat().map((offset): Flaw => ({ kind: "tamper-payload", offset })),
    fc
      .record({ offset: fc.nat({ max: 63 }), bit: fc.nat({ max: 7 }) })
      .map(({ offset, bit }): Flaw => ({ kind: "tamper-signature", offset, bit })),
    fc
      .constantFrom(...ROLES.filter((r) => r !== sealerOf(kind)))
      .map((role): Flaw => ({ kind: "wrong-role", role })),
    fc.constant<Flaw>({ kind: "unknown-kid" }),
    fc.constant<Flaw>({ kind: "stranger-known-kid" }),
    fc
      .record({
        alg: fc.constantFrom("none", "None", "NONE", "nOnE"),
        signature: fc.constantFrom("empty", "kept"),
      })
      .map(({ alg, signature }): Flaw => ({ kind: "alg-none", alg, signature })),
    fc.constantFrom(...KID_TRICKS).map((pattern): Flaw => ({ kind: "kid-trick", pattern })),
    fc
      .constantFrom("x-bytes", "x-text", "jwk-json")
      .map((secret): Flaw => ({ kind: "hs256-public-key", secret })),
    fc
      .constantFrom("HS256", "HS512", "ES256", "RS256", "PS256", "Ed25519", "eddsa", "EDDSA", "EdDSA ")
      .map((alg): Flaw => ({ kind: "alg-mismatch", alg })),
    fc.constantFrom(...EXTRA_MEMBERS).map((member): Flaw => ({ kind: "extra-header", member })),
    fc
      .record({
        member: fc.constantFrom("alg", "kid", "typ"),
        dup: fc.constantFrom("same", "forged-first", "forged-last"),
      })
      .map(({ member, dup }): Flaw => ({ kind: "duplicate-header", member, dup })),
    fc
      .constantFrom(...SEAL_TYPE_NAMES.filter((t) => t !== typ), "JOSE", "JWT", "jws")
      .map((other): Flaw => ({ kind: "typ-other", typ: other })),
    fc
      .constantFrom(...lookalikes(typ), `application/${typ}`)
      .map((spelling): Flaw => ({ kind: "typ-lookalike", typ: spelling })),
    fc
      .record({
        as: fc.constantFrom<SlotKind>(
          ...(["decision-packet", "grant", "evidence"] as const).filter((k) => k !== kind),
        ),
        how: fc.constantFrom("document", "kind-member"),
      })
      .map(({ as, how }): Flaw => ({ kind: "kind-mismatch", as, how })),
    part.map((p): Flaw => ({ kind: "padding", part: p })),
    fc
      .record({ part, char: fc.constantFrom(" ", "\n", "\r\n", "\t"), offset: fc.nat() })
      .map(({ part: p, char, offset }): Flaw => ({ kind: "whitespace", part: p, char, offset })),
    fc.constant<Flaw>({ kind: "standard-alphabet" }),
    fc.integer({ min: 1, max: 15 }).map((bits): Flaw => ({ kind: "trailing-bits", bits })),
    fc.constantFrom(1, 2, 4, 5).map((count): Flaw => ({ kind: "parts", count })),
    fc.constant<Flaw>({ kind: "detached" }),
  );
}

/** One or two forgeries on distinct seals: each alone is a broken seal, so any shrink still is. */
function valueArbitrary(ctx: FamilyContext): fc.Arbitrary<Value> {
  const bases = packetBases(ctx, "P02");
  return chainByKey(fc.constantFrom(...ACTIONS), (action) =>
    fc.record({
      entropy: entropy(),
      base: bases,
      action: fc.constant(action),
      forgeries: fc.uniqueArray(
        fc.oneof(...slotsOf(action).map((slot) => flawArbitrary(slot).map((flaw) => ({ slot, flaw })))),
        { minLength: 1, maxLength: 2, selector: (f) => f.slot },
      ),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Rules and descriptions
// ---------------------------------------------------------------------------------------------

function explain(flaw: Flaw, slot: Slot): { readonly rule: string; readonly what: string } {
  const kind = kindOf(slot);
  switch (flaw.kind) {
    case "tamper-payload":
      return { rule: "S5", what: `payload character changed after signing (offset ${flaw.offset})` };
    case "tamper-signature":
      return { rule: "S2", what: `signature byte ${flaw.offset} bit ${flaw.bit} flipped` };
    case "wrong-role":
      return { rule: "S1", what: `signed by the ${flaw.role} key, not the ${sealerOf(kind)} key` };
    case "unknown-kid":
      return { rule: "S2", what: "signed by a stranger key under an unknown kid" };
    case "stranger-known-kid":
      return { rule: "S2", what: `signed by a stranger key claiming the ${sealerOf(kind)} kid` };
    case "alg-none":
      return {
        rule: "S2",
        what: `alg ${JSON.stringify(flaw.alg)} with ${flaw.signature === "empty" ? "an empty signature" : "a valid signature kept"}`,
      };
    case "kid-trick":
      return { rule: "S2", what: `kid ${JSON.stringify(flaw.pattern)}, signed by the genuine key` };
    case "hs256-public-key":
      return { rule: "S2", what: `alg HS256 keyed with the Ed25519 public key (${flaw.secret})` };
    case "alg-mismatch":
      return { rule: "S2", what: `header alg ${JSON.stringify(flaw.alg)} on an EdDSA key's signature` };
    case "extra-header":
      return { rule: "S3", what: `extra header member ${flaw.member}` };
    case "duplicate-header":
      return { rule: "S3", what: `header member ${flaw.member} twice (${flaw.dup})` };
    case "typ-other":
      return { rule: "S4", what: `typ ${JSON.stringify(flaw.typ)} instead of ${typOf(kind)}` };
    case "typ-lookalike":
      return { rule: "S4", what: `look-alike typ ${JSON.stringify(flaw.typ)}` };
    case "kind-mismatch":
      return {
        rule: "S4",
        what: `payload of kind ${flaw.as} under typ ${typOf(kind)} (${flaw.how === "document" ? `a real ${flaw.as}` : "kind member changed"})`,
      };
    case "padding":
      return { rule: "S3", what: `base64url padding on the ${flaw.part}` };
    case "whitespace":
      return { rule: "S3", what: `${JSON.stringify(flaw.char)} inside the ${flaw.part}'s base64url` };
    case "standard-alphabet":
      return { rule: "S3", what: "signature in the standard base64 alphabet with padding" };
    case "trailing-bits":
      return { rule: "S3", what: `signature's unused trailing bits set (${flaw.bits})` };
    case "parts":
      return { rule: "S2", what: `compact serialization with ${flaw.count} parts` };
    case "detached":
      return { rule: "S6", what: "detached (empty) payload where an attached one is required" };
  }
}

function breaks(value: Value): string | undefined {
  const first = value.forgeries[0];
  if (first === undefined) return undefined;
  const { rule, what } = explain(first.flaw, first.slot);
  return `${rule}: ${what} (${slotName(first.slot, value.action)})`;
}

function describe(value: Value): string {
  const forged = value.forgeries.map(
    (f) => `${slotName(f.slot, value.action)}: ${explain(f.flaw, f.slot).what}`,
  );
  return `${value.action} request; ${forged.join("; ")} (${describeBase(value.base)})`;
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

type Genuine =
  | { readonly kind: "decision-packet"; readonly doc: DecisionPacket }
  | { readonly kind: "grant"; readonly doc: Grant }
  | { readonly kind: "evidence"; readonly doc: EvidenceClaims };

function payloadOf(genuine: Genuine): Uint8Array {
  switch (genuine.kind) {
    case "decision-packet":
      return encodeDocument("decision-packet", genuine.doc);
    case "grant":
      return encodeDocument("grant", genuine.doc);
    case "evidence":
      return encodeDocument("evidence", genuine.doc);
  }
}

/** The request's evidence claims; for actions without evidence, a stand-in with the same shape. */
function evidenceOf(ctx: FamilyContext, parts: AuthorizedParts): EvidenceClaims {
  const stand = (what: string): string =>
    createHash("sha256").update(`${what}\0${ctx.salt}\0${parts.label}`).digest("hex");
  return passingEvidence(
    ctx,
    parts.label,
    parts.artifactSha256 ?? stand("artifact"),
    parts.evidenceTree ?? stand("tree"),
    parts.packet.packet_id,
  );
}

function genuineOf(
  kind: SlotKind,
  slot: Slot | undefined,
  ctx: FamilyContext,
  parts: AuthorizedParts,
): Genuine {
  switch (kind) {
    case "decision-packet":
      return { kind, doc: parts.packet };
    case "evidence":
      return { kind, doc: evidenceOf(ctx, parts) };
    case "grant": {
      const grant = parts.grants[slot === "grant-1" ? 1 : 0];
      if (grant === undefined)
        throw new Error(`the authorised request has no grant for ${slot ?? "grant-0"}`);
      return { kind, doc: grant };
    }
  }
}

function strangerOf(ctx: FamilyContext, role: Role): KeyEntry {
  for (const entry of ctx.strangerKeyring.values()) {
    if (entry.role === role && entry.signKey !== undefined) return entry;
  }
  throw new Error(`the stranger keyring has no private ${role} key`);
}

function publicJwkOf(key: KeyEntry): { kty: "OKP"; crv: "Ed25519"; x: string } {
  if (key.publicJwk === undefined) throw new Error(`key ${key.kid} has no public JWK`);
  return { kty: "OKP", crv: "Ed25519", x: key.publicJwk.x };
}

/** A header written member by member: duplicates and extra members are the point. */
function headerText(members: ReadonlyArray<readonly [string, unknown]>): string {
  return `{${members.map(([name, v]) => `${JSON.stringify(name)}:${JSON.stringify(v)}`).join(",")}}`;
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64url");
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function splitJws(jws: string): [string, string, string] {
  const [h = "", p = "", s = ""] = jws.split(".");
  return [h, p, s];
}

const ENUM_VALUES = new Set<string>([
  ...OPTIONS,
  ...ACTIONS,
  ...BLOCKER_STATUSES,
  "decision-packet",
  "grant",
  "evidence",
  "production",
  "owner",
  "operator",
  "transactional",
  "snapshot_restore",
  "PASS",
  "FAIL",
  "REFUSED",
  "clone",
]);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Offsets of alphanumeric characters inside string values that are neither enumerations nor
 * timestamps: rotating one of them (within its class) leaves ids, nonces, hex digests and free
 * text valid, so the tampered payload is still a document a careless gate would act on.
 */
function tamperableOffsets(text: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
    const content = text.slice(i + 1, j);
    const isName = text[j + 1] === ":";
    if (!isName && !ENUM_VALUES.has(content) && !TIMESTAMP.test(content) && !content.includes("\\")) {
      for (let p = i + 1; p < j; p++) if (/[A-Za-z0-9]/.test(text[p] ?? "")) out.push(p);
    }
    i = j + 1;
  }
  return out;
}

const CLASSES = ["0123456789", "abcdef", "ghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"];
function rotate(c: string): string {
  for (const cls of CLASSES) {
    const at = cls.indexOf(c);
    if (at >= 0) return cls[(at + 1) % cls.length] ?? c;
  }
  return c;
}

/** The slot's JWS with one flaw; every other byte is what the genuine sealer would produce. */
async function forge(ctx: FamilyContext, flaw: Flaw, slot: Slot, parts: AuthorizedParts): Promise<string> {
  const kind = kindOf(slot);
  const typ = typOf(kind);
  const signer = keyOf(ctx, sealerOf(kind));
  const genuine = genuineOf(kind, slot, ctx, parts);
  const payload = payloadOf(genuine);
  const header = (alg: string = signer.alg, kid = signer.kid, t: string = typ): string =>
    headerText([
      ["alg", alg],
      ["kid", kid],
      ["typ", t],
    ]);
  const sealed = (): Promise<string> => rawJws(header(), payload, signer);

  switch (flaw.kind) {
    case "tamper-payload": {
      const [h, , s] = splitJws(await sealed());
      // latin1 keeps offsets equal to byte offsets; the genuine documents are ASCII.
      const text = Buffer.from(payload).toString("latin1");
      const offsets = tamperableOffsets(text);
      const at = offsets[flaw.offset % offsets.length];
      if (at === undefined) throw new Error(`no tamperable character in the ${kind} payload`);
      const tampered = `${text.slice(0, at)}${rotate(text[at] ?? "")}${text.slice(at + 1)}`;
      return `${h}.${b64url(Buffer.from(tampered, "latin1"))}.${s}`;
    }
    case "tamper-signature": {
      const [h, p, s] = splitJws(await sealed());
      const signature = Buffer.from(s, "base64url");
      const at = flaw.offset % signature.length;
      signature[at] = (signature[at] ?? 0) ^ (1 << flaw.bit);
      return `${h}.${p}.${b64url(signature)}`;
    }
    case "wrong-role": {
      const wrong = keyOf(ctx, flaw.role);
      return rawJws(header(wrong.alg, wrong.kid), payload, wrong);
    }
    case "unknown-kid": {
      const stranger = strangerOf(ctx, sealerOf(kind));
      return rawJws(header(stranger.alg, stranger.kid), payload, stranger);
    }
    case "stranger-known-kid":
      return rawJws(header(), payload, strangerOf(ctx, sealerOf(kind)));
    case "alg-none":
      return flaw.signature === "empty"
        ? rawJws(header(flaw.alg), payload, undefined)
        : rawJws(header(flaw.alg), payload, signer, "EdDSA");
    case "kid-trick": {
      const kid = flaw.pattern.replaceAll("{kid}", signer.kid).replaceAll("{KID}", signer.kid.toUpperCase());
      return rawJws(header(signer.alg, kid), payload, signer);
    }
    case "hs256-public-key": {
      const jwk = publicJwkOf(signer);
      const secret =
        flaw.secret === "x-bytes"
          ? Buffer.from(jwk.x, "base64url")
          : Buffer.from(flaw.secret === "x-text" ? jwk.x : JSON.stringify(jwk), "utf8");
      const unsigned = (await rawJws(header("HS256"), payload, undefined)).slice(0, -1);
      return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
    }
    case "alg-mismatch":
      return rawJws(header(flaw.alg), payload, signer, "EdDSA");
    case "extra-header":
      return extraHeader(ctx, flaw.member, signer, typ, payload, kind);
    case "duplicate-header":
      return duplicateHeader(ctx, flaw, signer, typ, payload);
    case "typ-other":
    case "typ-lookalike":
      return rawJws(header(signer.alg, signer.kid, flaw.typ), payload, signer);
    case "kind-mismatch": {
      const other =
        flaw.how === "document"
          ? payloadOf(genuineOf(flaw.as, undefined, ctx, parts))
          : renderMutated(genuine.doc, [{ kind: "replace", path: ["kind"], raw: JSON.stringify(flaw.as) }]);
      return rawJws(header(), other, signer);
    }
    case "padding": {
      const split = splitJws(await sealed());
      const index = ["header", "payload", "signature"].indexOf(flaw.part);
      const text = split[index] ?? "";
      // Standard padding when the length calls for it, else a lone "=": non-canonical either way.
      split[index] = `${text}${"=".repeat((4 - (text.length % 4)) % 4 || 1)}`;
      return split.join(".");
    }
    case "whitespace": {
      const split = splitJws(await sealed());
      const index = ["header", "payload", "signature"].indexOf(flaw.part);
      const text = split[index] ?? "";
      const at = flaw.offset % (text.length + 1);
      split[index] = `${text.slice(0, at)}${flaw.char}${text.slice(at)}`;
      return split.join(".");
    }
    case "standard-alphabet": {
      const [h, p, s] = splitJws(await sealed());
      return `${h}.${p}.${Buffer.from(s, "base64url").toString("base64")}`;
    }
    case "trailing-bits": {
      const [h, p, s] = splitJws(await sealed());
      // 64 bytes take 85 full sextets plus 2 bits: the last character's low 4 bits carry nothing.
      const last = BASE64URL.indexOf(s.slice(-1));
      const changed = BASE64URL[(last & 0b110000) | flaw.bits] ?? "";
      return `${h}.${p}.${s.slice(0, -1)}${changed}`;
    }
    case "parts": {
      const [h, p, s] = splitJws(await sealed());
      // 1 and 2 parts drop the signature (and the payload); 4 and 5 repeat it.
      return [h, p, s, s, s].slice(0, flaw.count).join(".");
    }
    case "detached": {
      const [h, , s] = splitJws(await sealed());
      // RFC 7515 appendix F: the signature still covers the payload, which travels elsewhere.
      return `${h}..${s}`;
    }
  }
}

async function extraHeader(
  ctx: FamilyContext,
  member: ExtraMember,
  signer: KeyEntry,
  typ: SealType,
  payload: Uint8Array,
  kind: SlotKind,
): Promise<string> {
  const base: Array<readonly [string, unknown]> = [
    ["alg", signer.alg],
    ["kid", signer.kid],
    ["typ", typ],
  ];
  const extra = (members: ReadonlyArray<readonly [string, unknown]>, key = signer): Promise<string> =>
    rawJws(headerText([...base, ...members]), payload, key);
  switch (member) {
    case "crit":
      return extra([["crit", ["exp"]]]);
    case "jwk":
      return extra([["jwk", publicJwkOf(signer)]]);
    case "jwk-injected": {
      // The attacker's own key travels in the header under the genuine kid, and signs.
      const stranger = strangerOf(ctx, sealerOf(kind));
      return extra([["jwk", publicJwkOf(stranger)]], stranger);
    }
    case "jku":
      return extra([["jku", "https://keys.attacker.example/jwks.json"]]);
    case "x5u":
      return extra([["x5u", "https://keys.attacker.example/cert.pem"]]);
    case "x5c":
      return extra([["x5c", [Buffer.from("not a certificate, but who checks").toString("base64")]]]);
    case "x5t":
      return extra([["x5t", b64url(createHash("sha1").update(signer.kid).digest())]]);
    case "b64":
      return extra([
        ["b64", false],
        ["crit", ["b64"]],
      ]);
    case "zip":
      return extra([["zip", "DEF"]]);
    case "cty":
      return extra([["cty", "JWT"]]);
    case "custom":
      return extra([["role", "owner"]]);
  }
}

async function duplicateHeader(
  ctx: FamilyContext,
  flaw: Extract<Flaw, { kind: "duplicate-header" }>,
  signer: KeyEntry,
  typ: SealType,
  payload: Uint8Array,
): Promise<string> {
  const genuine: Record<"alg" | "kid" | "typ", string> = { alg: signer.alg, kid: signer.kid, typ };
  // A forged kid names a key the attacker holds (the operator's), which then signs: a parser that
  // checks the first kid's role but verifies with the last kid's key would be fooled.
  const operator = keyOf(ctx, "operator");
  const forgedValue = {
    alg: "none",
    kid: operator.kid,
    typ: typ === "grant+jws" ? "decision-packet+jws" : "grant+jws",
  }[flaw.member];
  const other = flaw.dup === "same" ? genuine[flaw.member] : forgedValue;
  const [first, last] =
    flaw.dup === "forged-first" ? [other, genuine[flaw.member]] : [genuine[flaw.member], other];
  const members: Array<readonly [string, unknown]> = [
    ["alg", flaw.member === "alg" ? first : genuine.alg],
    ["kid", flaw.member === "kid" ? first : genuine.kid],
    ["typ", flaw.member === "typ" ? first : genuine.typ],
    [flaw.member, last],
  ];
  const key = flaw.member === "kid" && flaw.dup !== "same" ? operator : signer;
  return rawJws(headerText(members), payload, key);
}

async function render(value: Value, ctx: FamilyContext): Promise<Uint8Array> {
  const parts = authorizedParts(ctx, labelOf(value), value.action, value.base);
  // Start from the request a correct gate allows and swap in the forged seals only.
  const base = await authorizedRequest(ctx, parts);
  const forged = new Map<Slot, string>();
  for (const f of value.forgeries) forged.set(f.slot, await forge(ctx, f.flaw, f.slot, parts));
  const grants = base.grants.map((jws, i) => forged.get(i === 0 ? "grant-0" : "grant-1") ?? jws);
  const evidence = forged.get("evidence") ?? base.evidence;
  return renderMutated(
    {
      ...base,
      packet: forged.get("packet") ?? base.packet,
      grants,
      ...(evidence === undefined ? {} : { evidence }),
    },
    [],
  );
}

export const family: ProbeFamily<Value> = {
  id: "P02",
  name: "forged-seal",
  operation: "decide",
  role: "attack",
  rules: ["S1", "S2", "S3", "S4", "S5", "S6"],
  minRuns: 1_000,
  arbitrary: valueArbitrary,
  render,
  breaks,
  describe,
};
