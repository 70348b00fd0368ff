/**
 * Fixtures for the gate's tests: an in-memory Ed25519 keyring for every role whose secret members
 * stay reachable (they are the canaries G7 and F2 search for), a fixed clock, builders for packets,
 * grants, evidence and action requests, a gate on PGlite or on a scratch real-server database, and
 * the G7 shape check every HOLD or DENY goes through.
 *
 * Documents are built as plain objects and sealed with jose directly, not with the lane's
 * sealDocument: that one refuses invalid payloads and wrong roles, and the deny twins need a
 * correctly signed look-alike enum or a grant sealed by the gate's own key.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { CompactSign, compactVerify, importJWK, type CompactJWSHeaderParameters } from "jose";
import { expect } from "vitest";
import type { Action, GateReason, Option, Permit, VerdictDocument } from "../../src/lane/codec/documents.js";
import { OPTIONS } from "../../src/lane/codec/documents.js";
import { formatTimestamp, timestampSeconds } from "../../src/lane/codec/formats.js";
import { openDatabase } from "../../src/lane/db/open.js";
import type { SqlDatabase } from "../../src/lane/db/session.js";
import { fixedClock } from "../../src/kernel/clock.js";
import { createGate, type Gate, type GateConfig, type GateDecision } from "../../src/lane/gate/gate.js";
import { openLedger } from "../../src/lane/gate/ledger/ledger.js";
import type { Ledger, LedgerOptions } from "../../src/lane/gate/ledger/types.js";
import { combinedPrivateSet, generateKeyring, type JwkSetFile } from "../../src/lane/seal/keygen.js";
import { loadKeyringFromSources, type KeyEntry, type Keyring } from "../../src/lane/seal/keyring.js";
import { ROLES, type Role } from "../../src/lane/seal/roles.js";
import { createScratchDatabase } from "./real-postgres.js";

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

export interface TestKeys {
  /** Every role's key, private halves included, loaded the way a component loads them. */
  readonly keyring: Keyring;
  /** The JWK Sets the keyring came from (private members included), for writing CLI key files. */
  readonly sets: readonly JwkSetFile[];
  /** Every secret member (`d` of each Ed25519 key, `k` of an HMAC key): the canaries. */
  readonly secrets: readonly string[];
  entry(role: Role): KeyEntry;
  kid(role: Role): string;
  /** The role's public JWK, as a standard JWS library takes it. */
  publicJwk(role: Role): { kty: "OKP"; crv: "Ed25519"; x: string };
}

/** Loads JWK Sets held in memory into a keyring and keeps their secret members as canaries. */
export async function keysFromSets(sets: readonly JwkSetFile[], testMode: boolean): Promise<TestKeys> {
  const keyring = await loadKeyringFromSources(
    sets.map((set, i) => ({
      source: `memory:set-${i}`,
      bytes: new Uint8Array(Buffer.from(JSON.stringify(set))),
    })),
    { testMode },
  );
  const secrets = sets.flatMap((set) =>
    set.keys.flatMap((k) => [k["d"], k["k"]].filter((v) => v !== undefined)),
  );
  const entry = (role: Role): KeyEntry => {
    // The signing entry when there is one: a test seals with it.
    const entries = [...keyring.values()].filter((e) => e.role === role);
    const found = entries.find((e) => e.signKey !== undefined) ?? entries[0];
    if (found === undefined) throw new Error(`test keyring has no ${role} key`);
    return found;
  };
  return {
    keyring,
    sets,
    secrets,
    entry,
    kid: (role) => entry(role).kid,
    publicJwk: (role) => {
      const jwk = entry(role).publicJwk;
      if (jwk === undefined) throw new Error(`test key for ${role} has no public JWK`);
      return { kty: "OKP", crv: "Ed25519", x: jwk.x };
    },
  };
}

/** A fresh Ed25519 keyring for all four roles (never a published example key). */
export async function makeTestKeys(): Promise<TestKeys> {
  const generated = await generateKeyring({ roles: ROLES });
  return keysFromSets([combinedPrivateSet(generated), generated.publicSet], false);
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** The instant in-process tests run at; far from the machine's clock on purpose. */
export const BASE_NOW = timestampSeconds("2030-01-15T12:00:00Z");

export function iso(epochSeconds: number): string {
  return formatTimestamp(epochSeconds);
}

export function realNow(): number {
  return Math.floor(Date.now() / 1000);
}

export { fixedClock };

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

export const PACKET_ID = "PKT-2030-0001";
export const OTHER_PACKET_ID = "PKT-2030-0002";
export const MIGRATION_SQL = "CREATE TABLE qt001_accounts (id bigint PRIMARY KEY, label text NOT NULL);\n";
export const ARTIFACT_SHA256 = sha256Hex(MIGRATION_SQL);
export const TREE_ID = sha256Hex("evidence tree of the QT001 rehearsal");
export const DIGEST_BEFORE = sha256Hex("digest before");
export const DIGEST_AFTER = sha256Hex("digest after apply");

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

let serial = 0;
/** Identifiers unique per process and per call, so tests share one database without colliding. */
export function uniqueId(prefix: string): string {
  serial += 1;
  return `${prefix}-${process.pid}-${serial}-${randomBytes(3).toString("hex")}`;
}

export function freshNonce(): string {
  return randomBytes(24).toString("base64url");
}

/** The weakest option that permits each action (G2, G3). */
export function optionFor(action: Action): Option {
  switch (action) {
    case "DRYRUN":
      return "AUTHORIZE_PRODUCTION_DRYRUN_ONLY";
    case "REALRUN_PRECHECK":
      return "AUTHORIZE_PRODUCTION_REALRUN_PRECHECK_ONLY";
    default:
      return "AUTHORIZE_PRODUCTION_EXECUTION";
  }
}

/** The grants a fully authorised request carries, in order: REAL_RUN first for irreversible ones. */
export function grantActionsFor(action: Action): Action[] {
  return action === "DRYRUN" || action === "REALRUN_PRECHECK" || action === "REAL_RUN"
    ? [action]
    : ["REAL_RUN", action];
}

export function weakerOptions(action: Action): Option[] {
  return OPTIONS.slice(0, OPTIONS.indexOf(optionFor(action)));
}

/** A document as the tests build it: any member may hold any value, valid or not. */
export type Doc = Record<string, unknown>;

/** One sealed part of a request: its payload and who seals it. */
export interface SealedPart {
  payload: Doc;
  role: Role;
  /** The header's typ; the kind's own by default. */
  typ?: string;
  /** Header kid; the role's key by default. */
  kid?: string;
  /** How the payload becomes bytes (JSON.stringify by default). */
  serialize?: (payload: Doc) => string;
}

/** Everything a request is made of, before sealing: a deny twin changes exactly one thing. */
export interface Scenario {
  action: string;
  target: string;
  requestId: string;
  packet: SealedPart;
  grants: SealedPart[];
  evidence?: SealedPart;
  /** Members added to the request (schema violations). */
  extra?: Doc;
  /** Runs on the sealed strings before the request is assembled (tampering, swapping slots). */
  post?: (sealed: SealedParts) => void;
}

export interface SealedParts {
  packet: string;
  grants: string[];
  evidence?: string;
}

export interface BuiltRequest {
  readonly bytes: Uint8Array;
  readonly requestId: string;
  readonly sealed: SealedParts;
  /** Nonces of the grants the request carries. */
  readonly nonces: readonly string[];
  readonly grantIds: readonly string[];
}

const TYP_OF_KIND = {
  "decision-packet": "decision-packet+jws",
  grant: "grant+jws",
  evidence: "evidence+jws",
} as const;

/** The member order reversed: the same document, other bytes, so another valid JWS. */
export function reordered(payload: Doc): string {
  const copy: Doc = {};
  for (const key of Object.keys(payload).reverse()) copy[key] = payload[key];
  return JSON.stringify(copy);
}

/** Builders around one clock reading and one keyring. */
export class Docs {
  constructor(
    readonly keys: TestKeys,
    readonly now: number,
  ) {}

  packet(overrides: Doc = {}): Doc {
    return {
      kind: "decision-packet",
      v: 1,
      packet_id: PACKET_ID,
      issued_at: iso(this.now - 3600),
      expires_at: iso(this.now + 7 * 86_400),
      default: "HOLD_PRODUCTION",
      selected: "AUTHORIZE_PRODUCTION_EXECUTION",
      blockers: [
        {
          id: "B-1",
          status: "DISCHARGED",
          actors: ["owner", "operator"],
          gate: "migration rehearsed on a clone",
        },
        { id: "B-2", status: "DISCHARGED", actors: ["owner"], gate: "rollback plan reviewed" },
      ],
      evidence: [TREE_ID],
      ...overrides,
    };
  }

  grant(action: string, overrides: Doc = {}): Doc {
    const base: Doc = {
      kind: "grant",
      v: 1,
      grant_id: uniqueId("grant"),
      packet_id: PACKET_ID,
      action,
      target: "production",
      nonce: freshNonce(),
      not_before: iso(this.now - 60),
      expires_at: iso(this.now + 3600),
    };
    // The grant schema: artifact_sha256 exactly when the action is QT001_APPLY.
    if (action === "QT001_APPLY") base["artifact_sha256"] = ARTIFACT_SHA256;
    return { ...base, ...overrides };
  }

  evidence(overrides: Doc = {}): Doc {
    return {
      kind: "evidence",
      v: 1,
      tree: TREE_ID,
      rehearsal_id: uniqueId("reh"),
      packet_id: PACKET_ID,
      artifact_sha256: ARTIFACT_SHA256,
      mode: "transactional",
      verdict: "PASS",
      reasons: [],
      before: DIGEST_BEFORE,
      after_apply: DIGEST_AFTER,
      after_rollback: DIGEST_BEFORE,
      scope: "clone",
      sealed_at: iso(this.now - 600),
      ...overrides,
    };
  }

  /** Seals any payload as a compact JWS with exactly {alg, kid, typ}, whatever the payload says. */
  async seal(kind: keyof typeof TYP_OF_KIND, part: SealedPart): Promise<string> {
    const entry = this.keys.entry(part.role);
    if (entry.signKey === undefined) throw new Error(`no private ${part.role} key to seal with`);
    const text = (part.serialize ?? JSON.stringify)(part.payload);
    const header: CompactJWSHeaderParameters = {
      alg: entry.alg,
      kid: part.kid ?? entry.kid,
      typ: part.typ ?? TYP_OF_KIND[kind],
    };
    return new CompactSign(Buffer.from(text, "utf8")).setProtectedHeader(header).sign(entry.signKey);
  }

  /** A fully authorised request for this action (G2-G4), with fresh grant ids and nonces. */
  scenario(action: Action): Scenario {
    const scenario: Scenario = {
      action,
      target: "production",
      requestId: uniqueId("req"),
      packet: { payload: this.packet({ selected: optionFor(action) }), role: "owner" },
      grants: grantActionsFor(action).map((a): SealedPart => ({ payload: this.grant(a), role: "owner" })),
    };
    if (action === "QT001_APPLY") scenario.evidence = { payload: this.evidence(), role: "rehearsal" };
    return scenario;
  }

  /** A scenario whose packet selects HOLD_PRODUCTION, otherwise fully authorised (G1). */
  holdScenario(action: Action): Scenario {
    const scenario = this.scenario(action);
    scenario.packet.payload["selected"] = "HOLD_PRODUCTION";
    return scenario;
  }

  async build(scenario: Scenario): Promise<BuiltRequest> {
    const sealed: SealedParts = {
      packet: await this.seal("decision-packet", scenario.packet),
      grants: await Promise.all(scenario.grants.map((g) => this.seal("grant", g))),
    };
    if (scenario.evidence !== undefined) sealed.evidence = await this.seal("evidence", scenario.evidence);
    scenario.post?.(sealed);
    return {
      bytes: this.requestBytes(sealed, scenario.action, scenario.requestId, scenario.target, scenario.extra),
      requestId: scenario.requestId,
      sealed,
      nonces: scenario.grants.map((g) => String(g.payload["nonce"])),
      grantIds: scenario.grants.map((g) => String(g.payload["grant_id"])),
    };
  }

  /** An action request around sealed parts, as a peer would send it. */
  requestBytes(
    sealed: SealedParts,
    action: string,
    requestId: string,
    target = "production",
    extra: Doc = {},
  ): Uint8Array {
    const request: Doc = {
      kind: "action-request",
      v: 1,
      request_id: requestId,
      action,
      target,
      packet: sealed.packet,
      grants: sealed.grants,
      ...(sealed.evidence === undefined ? {} : { evidence: sealed.evidence }),
      ...extra,
    };
    return new Uint8Array(Buffer.from(JSON.stringify(request), "utf8"));
  }

  /** Shorthand: the bytes of a fully authorised request. */
  async authorized(action: Action): Promise<BuiltRequest> {
    return this.build(this.scenario(action));
  }
}

/** The first Latin letter that has a Cyrillic twin, swapped for it: looks the same, is not. */
export function homoglyph(value: string): string {
  const twins: Record<string, string> = {
    A: "\u0410",
    B: "\u0412",
    C: "\u0421",
    E: "\u0415",
    H: "\u041D",
    I: "\u0406",
    J: "\u0408",
    K: "\u041A",
    M: "\u041C",
    O: "\u041E",
    P: "\u0420",
    T: "\u0422",
    S: "\u0405",
    X: "\u0425",
    Y: "\u0423",
    a: "\u0430",
    c: "\u0441",
    e: "\u0435",
    o: "\u043E",
    p: "\u0440",
    x: "\u0445",
  };
  const index = [...value].findIndex((ch) => twins[ch] !== undefined);
  if (index < 0) throw new Error(`no homoglyph for ${value}`);
  const chars = [...value];
  chars[index] = twins[chars[index] ?? ""] ?? "";
  return chars.join("");
}

/** R8 look-alikes of an enumeration value: each must be refused, none may be normalised. */
export function lookalikes(value: string): Array<[string, string]> {
  // For a lowercase value the case change goes the other way: it must still differ.
  const recased =
    value.toLowerCase() === value ? ["uppercase", value.toUpperCase()] : ["lowercase", value.toLowerCase()];
  return [
    recased as [string, string],
    ["trailing space", `${value} `],
    ["Cyrillic homoglyph", homoglyph(value)],
  ];
}

// ---------------------------------------------------------------------------------------------
// G7: what a HOLD or DENY may contain
// ---------------------------------------------------------------------------------------------

/** A compact JWS anywhere in a text (G7: a refusal never carries one). */
export const JWS_PATTERN = /[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{10,}/;

function percent(bytes: Buffer, upper: boolean): string {
  return [...bytes]
    .map((b) => `%${upper ? b.toString(16).padStart(2, "0").toUpperCase() : b.toString(16).padStart(2, "0")}`)
    .join("");
}

/** Every encoding of a secret member F2 searches for: raw, base64, base64url, hex, percent, JSON escapes. */
export function canaryForms(secret: string): Buffer[] {
  const raw = Buffer.from(secret, "base64url");
  const text = Buffer.from(secret, "utf8");
  const forms = [
    secret,
    raw.toString("base64"),
    raw.toString("base64").replace(/=+$/, ""),
    raw.toString("hex"),
    raw.toString("hex").toUpperCase(),
    percent(raw, true),
    percent(raw, false),
    encodeURIComponent(secret),
    text.toString("base64"),
    text.toString("hex"),
    [...secret].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
  ];
  return [raw, ...forms.map((f) => Buffer.from(f, "utf8"))];
}

/** F2: none of the keyring's secret members, in any encoding, anywhere in these bytes. */
export function expectNoSecrets(output: Uint8Array | string, keys: TestKeys): void {
  const haystack = typeof output === "string" ? Buffer.from(output, "utf8") : Buffer.from(output);
  for (const secret of keys.secrets) {
    for (const form of canaryForms(secret)) {
      if (haystack.includes(form)) throw new Error(`a secret key member leaked (as ${form.length} bytes)`);
    }
  }
}

const REFUSAL_MEMBERS = new Set(["kind", "v", "verdict", "reasons", "request_id"]);

/**
 * G7 for any HOLD or DENY body: strict shape (kind, v, verdict, reasons, request_id only), no JWS,
 * no key material. Returns the parsed verdict.
 */
export function checkRefusalShape(body: Uint8Array | string, keys: TestKeys): VerdictDocument {
  const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  const parsed = JSON.parse(text) as Record<string, unknown>;
  expect(typeof parsed).toBe("object");
  for (const member of Object.keys(parsed))
    expect(REFUSAL_MEMBERS.has(member), `member ${member}`).toBe(true);
  expect(parsed["kind"]).toBe("verdict");
  expect(parsed["v"]).toBe(1);
  expect(["HOLD", "DENY"]).toContain(parsed["verdict"]);
  expect(Array.isArray(parsed["reasons"])).toBe(true);
  expect((parsed["reasons"] as unknown[]).length).toBeGreaterThan(0);
  expect(JWS_PATTERN.test(text)).toBe(false);
  expectNoSecrets(body, keys);
  return parsed as unknown as VerdictDocument;
}

/** The exact refusal expected: verdict, reasons in order, and request_id iff well formed (G7). */
export function expectRefusal(
  body: Uint8Array | string,
  keys: TestKeys,
  verdict: "HOLD" | "DENY",
  reasons: readonly GateReason[],
  requestId: string | undefined,
): void {
  const parsed = checkRefusalShape(body, keys);
  const expected: VerdictDocument =
    requestId === undefined
      ? { kind: "verdict", v: 1, verdict, reasons }
      : { kind: "verdict", v: 1, verdict, reasons, request_id: requestId };
  expect(parsed).toStrictEqual(expected);
}

/** An ALLOW has exactly these members and carries the permit. */
export function expectAllowShape(body: Uint8Array | string, requestId: string): string {
  const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  const parsed = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(parsed).sort()).toStrictEqual([
    "kind",
    "permit",
    "reasons",
    "request_id",
    "v",
    "verdict",
  ]);
  expect(parsed).toMatchObject({
    kind: "verdict",
    v: 1,
    verdict: "ALLOW",
    reasons: [],
    request_id: requestId,
  });
  expect(typeof parsed["permit"]).toBe("string");
  return parsed["permit"] as string;
}

export interface VerifiedPermit {
  readonly header: { alg?: string; kid?: string; typ?: string; [k: string]: unknown };
  readonly permit: Permit;
}

/** G5: the permit verifies with the gate's public key through jose directly, nothing of the lane's. */
export async function verifyPermit(jws: string, keys: TestKeys): Promise<VerifiedPermit> {
  const key = await importJWK(keys.publicJwk("gate"), "EdDSA");
  const { payload, protectedHeader } = await compactVerify(jws, key, { algorithms: ["EdDSA"] });
  return {
    header: protectedHeader,
    permit: JSON.parse(Buffer.from(payload).toString("utf8")) as Permit,
  };
}

/** Checks a permit against the request it answers (G5). */
export async function expectPermitFor(
  jws: string,
  keys: TestKeys,
  expected: {
    requestId: string;
    action: string;
    grantIds: readonly string[];
    issuedAt: number;
    packetId?: string;
  },
): Promise<Permit> {
  const { header, permit } = await verifyPermit(jws, keys);
  expect(header).toStrictEqual({ alg: "EdDSA", kid: keys.kid("gate"), typ: "permit+jws" });
  expect(Object.keys(permit).sort()).toStrictEqual([
    "action",
    "expires_at",
    "grants",
    "issued_at",
    "kind",
    "packet_id",
    "permit_id",
    "request_id",
    "target",
    "v",
  ]);
  expect(permit).toMatchObject({
    kind: "permit",
    v: 1,
    request_id: expected.requestId,
    packet_id: expected.packetId ?? PACKET_ID,
    action: expected.action,
    target: "production",
    grants: [...expected.grantIds],
    issued_at: iso(expected.issuedAt),
  });
  const lifetime = timestampSeconds(permit.expires_at) - timestampSeconds(permit.issued_at);
  expect(lifetime).toBeGreaterThan(0);
  expect(lifetime).toBeLessThanOrEqual(15 * 60);
  return permit;
}

// ---------------------------------------------------------------------------------------------
// Gates
// ---------------------------------------------------------------------------------------------

export type Engine = "pglite" | "postgres";

export interface TestGate {
  readonly gate: Gate;
  readonly ledger: Ledger;
  readonly db: SqlDatabase;
  readonly keys: TestKeys;
  readonly clock: ReturnType<typeof fixedClock>;
  /** gate.decide, with every answer's shape checked on the way (G7, or the ALLOW members). */
  decide(bytes: Uint8Array): Promise<GateDecision>;
  /** Rows in the audit log, counted in SQL. */
  auditCount(): Promise<number>;
  close(): Promise<void>;
}

export interface NewGateOptions extends Partial<Omit<GateConfig, "keyring" | "ledger" | "clock">> {
  readonly engine: Engine;
  readonly keys: TestKeys;
  readonly now?: number;
  readonly ledgerOptions?: LedgerOptions;
}

/** Checks the shape of whatever a gate answered, before a test looks at its verdict. */
export function checkAnswer(decision: GateDecision, keys: TestKeys): void {
  const text = Buffer.from(decision.bytes).toString("utf8");
  expect(JSON.parse(text)).toStrictEqual(decision.verdict);
  if (decision.verdict.verdict === "ALLOW")
    expectAllowShape(decision.bytes, decision.verdict.request_id ?? "");
  else checkRefusalShape(decision.bytes, keys);
}

export async function countAudit(db: SqlDatabase): Promise<number> {
  const { rows } = await db.query("SELECT count(*)::int AS n FROM failclosed_gate.audit_log");
  return Number(rows[0]?.["n"]);
}

/** A gate over PGlite in memory or over a scratch database on the real server (dropped on close). */
export async function newGate(options: NewGateOptions): Promise<TestGate> {
  const { engine, keys, now, ledgerOptions, ...config } = options;
  let drop = (): Promise<void> => Promise.resolve();
  let db: SqlDatabase | undefined;
  try {
    if (engine === "postgres") {
      const scratch = await createScratchDatabase("fc_gate");
      drop = scratch.drop;
      db = await openDatabase({ engine: "postgres", url: scratch.url });
    } else {
      db = await openDatabase({ engine: "pglite" });
    }
    const opened = db;
    const ledger = await openLedger(opened, ledgerOptions);
    const clock = fixedClock(now ?? BASE_NOW);
    const gate = createGate({ ...config, keyring: keys.keyring, ledger, clock });
    return {
      gate,
      ledger,
      db: opened,
      keys,
      clock,
      async decide(bytes) {
        const decision = await gate.decide(bytes);
        checkAnswer(decision, keys);
        return decision;
      },
      auditCount: () => countAudit(opened),
      async close() {
        await opened.close();
        await drop();
      },
    };
  } catch (error) {
    // A half-built gate must not leave a scratch database behind on the shared server.
    await db?.close().catch(() => undefined);
    await drop().catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI_MAIN = join(ROOT, "dist", "src", "cli", "main.js");

/** CLI tests run the built CLI (npm test builds it in pretest); a stale or missing build is a setup error. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run npm run build first`);
}

export interface KeyFiles {
  readonly dir: string;
  /** One file with every role's private key (mode 0600) and one with the public halves. */
  readonly paths: readonly string[];
  remove(): Promise<void>;
}

/** Writes the keyring's sets as JWK Set files for the CLI's --keyring flags. */
export async function writeKeyFiles(keys: TestKeys): Promise<KeyFiles> {
  const dir = await mkdtemp(join(tmpdir(), "failclosed-gate-"));
  const paths: string[] = [];
  for (const [i, set] of keys.sets.entries()) {
    const path = join(dir, `keyring-${i}.jwks.json`);
    await writeFile(path, JSON.stringify(set));
    // chmod after writing so the umask does not decide; private files must not be group-readable.
    await chmod(path, 0o600);
    paths.push(path);
  }
  return { dir, paths, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function keyringFlags(paths: readonly string[]): string[] {
  return paths.flatMap((p) => ["--keyring", p]);
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion with these arguments and stdin. */
export function runCli(
  args: readonly string[],
  stdin?: Uint8Array | string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: { PATH: process.env["PATH"] ?? "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.end(stdin === undefined ? undefined : Buffer.from(stdin));
  });
}

/**
 * One request a line in, one answer a line out (T3): over a child's pipes or a PassThrough pair.
 * Answers come back in order, so each request awaits the next line.
 */
export class LineChannel {
  private readonly lines: string[] = [];
  private readonly waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  private closed: Error | undefined;
  /** Everything read so far (for the canary search). */
  text = "";

  constructor(
    private readonly input: Writable,
    output: Readable,
    private readonly describe: () => string = () => "",
  ) {
    const reader = createInterface({ input: output, crlfDelay: Infinity });
    reader.on("line", (line) => {
      this.text += `${line}\n`;
      const next = this.waiting.shift();
      if (next !== undefined) next.resolve(line);
      else this.lines.push(line);
    });
    reader.on("close", () => {
      this.closed = new Error(`the answering side closed its output ${this.describe()}`);
      for (const w of this.waiting.splice(0)) w.reject(this.closed);
    });
  }

  /** The next answer line; fails after timeoutMs or when the output closes first. */
  nextLine(timeoutMs = 30_000): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed !== undefined) return Promise.reject(this.closed);
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer line within ${timeoutMs} ms ${this.describe()}`)),
        timeoutMs,
      );
      this.waiting.push({
        resolve: (line) => {
          clearTimeout(timer);
          resolvePromise(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** Writes raw text (no newline added). */
  write(text: string): void {
    this.input.write(text);
  }

  /** Writes one line and returns the line answered. */
  request(line: string): Promise<string> {
    const answer = this.nextLine();
    this.input.write(`${line}\n`);
    return answer;
  }

  end(): void {
    this.input.end();
  }
}

/** A long-running CLI child: its stdout as answer lines, its stderr kept, and its exit. */
export class CliChild {
  readonly child: ChildProcessWithoutNullStreams;
  readonly channel: LineChannel;
  private readonly errChunks: Buffer[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every byte the child wrote to stderr has arrived ('exit' can come before the last chunk). */
  readonly stderrEnded: Promise<void>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: { PATH: process.env["PATH"] ?? "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stderr.on("data", (c: Buffer) => this.errChunks.push(c));
    this.stderrEnded = new Promise((resolvePromise) =>
      this.child.stderr.once("close", () => resolvePromise()),
    );
    this.channel = new LineChannel(this.child.stdin, this.child.stdout, () => `(stderr: ${this.stderr})`);
    this.exited = new Promise((resolvePromise) => {
      this.child.on("exit", (code, signal) => resolvePromise({ code, signal }));
    });
  }

  get stderr(): string {
    return Buffer.concat(this.errChunks).toString("utf8");
  }

  get stdout(): string {
    return this.channel.text;
  }

  /** Ends stdin, or sends a signal, and waits for the exit; SIGKILLs this child if it hangs. */
  async stop(
    signal?: NodeJS.Signals,
    timeoutMs = 15_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (signal === undefined) this.child.stdin.end();
    else this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A T3 envelope line for these bytes. */
export function envelope(body: Uint8Array, op = "decide"): string {
  return JSON.stringify({ op, body_b64: Buffer.from(body).toString("base64") });
}
