/**
 * The fuzzer's data flow (DESIGN.md): ProbeFamily -> Probe -> Target.fire -> Outcome -> Answer
 * (decoded once) -> every applicable oracle's OracleVerdict -> one Judgement per probe -> Finding ->
 * events -> reporters -> Report -> release gate. Every result is a discriminated union with a
 * literal tag; no pairs of booleans that could contradict each other.
 */
import type fc from "fast-check";
import type { FaultName } from "./faults/fault-name.js";
import type {
  CodecRejection,
  DecisionPacket,
  Keyring,
  RehearsalResult,
  VerdictDocument,
} from "../lane/index.js";

/** Which operation of the system under test a probe is fired at (SPEC section 8). */
export type Operation = "decide" | "rehearse";

/** An attack must be refused; a control (F5) must be allowed or pass. */
export type ProbeRole = "attack" | "control";

/** Everything a family needs to build documents: keys of every role, a clock, fresh material. */
export interface FamilyContext {
  /** The fuzzer's own keyring: every role's private key, so it can make valid and forged seals. */
  readonly keyring: Keyring;
  /** Kids by role, for building seals. */
  readonly kids: Readonly<Record<"owner" | "operator" | "gate" | "rehearsal", string>>;
  /** Keys the target does not know (for unknown-kid and wrong-key forgeries). */
  readonly strangerKeyring: Keyring;
  /** The run's fixed "now" in epoch seconds: documents are built relative to it. */
  readonly now: number;
  /** Deterministic per-run salt mixed into nonces and ids, so reruns with a new seed never collide. */
  readonly salt: string;
  /** The seed documents of corpora/<family>/seeds/, checked by the codec when loaded. */
  readonly corpus: SeedCorpus;
  /**
   * The database the lane's clone is, which a good marker names (C1): the user's clone hook
   * says so for an external lane; absent for the reference lane's PGlite clone ("postgres").
   */
  readonly cloneDatabase?: string;
}

/** A decision packet a family starts from: its structure is kept, its authority is re-made. */
export interface SeedPacket {
  /** The family whose seeds directory holds it. */
  readonly family: string;
  /** The file's name, e.g. FIX7-P0-2026-06-12.packet.jws. */
  readonly name: string;
  readonly packet: DecisionPacket;
}

export interface SeedCorpus {
  /**
   * The SHA-256 tree id of every family's seeds directory, recorded with findings: regenerating
   * from seed and path gives the same bytes only over the same seeds.
   */
  readonly digest: string;
  readonly packets: readonly SeedPacket[];
}

/**
 * A probe family (DESIGN.md's ten, plus controls). Structure first, bytes last: the arbitrary
 * yields a structured value (a valid document plus named mutations, or claims plus a seal flaw),
 * render turns it into bytes at the end, and shrinking removes mutations.
 */
export interface ProbeFamily<S = unknown> {
  /** Stable id, e.g. "P01", or "C-GATE" for a control family. */
  readonly id: string;
  readonly name: string;
  readonly operation: Operation;
  readonly role: ProbeRole;
  /** SPEC rule ids this family's probes break (attacks) or exercise (controls). */
  readonly rules: readonly string[];
  /** Below this many runs the family is inconclusive, never passed. */
  readonly minRuns: number;
  /**
   * The family changes the target's state by design (its scenarios spend grants): it runs alone,
   * so that no other family's state snapshots (F3) span its legitimate changes.
   */
  readonly exclusive?: boolean;
  arbitrary(ctx: FamilyContext): fc.Arbitrary<S>;
  render(value: S, ctx: FamilyContext): Promise<Uint8Array>;
  /**
   * Which rule this input breaks, in a few words ("R3: duplicate member selected"); undefined when
   * it breaks none. Checked on every generated and every shrunk input: a shrink that makes the
   * probe valid is discarded, never reported.
   */
  breaks(value: S, ctx: FamilyContext): string | undefined;
  /** A short human description of the value, for findings ("duplicate key `selected`"). */
  describe(value: S): string;
  /**
   * Scenario families (grant replay) fire several requests per value, in order; render then gives
   * the scenario's canonical bytes for findings, and these steps are what is fired.
   */
  renderSteps?(value: S, ctx: FamilyContext): Promise<readonly Step[]>;
  /**
   * Clone-target families (P07): the clone the rehearsal must run on. The lane takes its clone
   * from its configuration, never from a request (SPEC section 6), so the target builds it.
   */
  cloneSetup?(value: S, ctx: FamilyContext): Promise<CloneSetup>;
  /**
   * Fault-drill families (issue #15, faults/catalogue.ts): the configuration or dependency fault
   * the probe's bytes are fired under; only targets that own their components can provoke one.
   */
  fault?(value: S): FaultName;
}

/** A clone for one rehearsal probe: what its marker table holds and what the lane calls production. */
export interface CloneSetup {
  /** The marker JWS stored in the clone, or null for a clone without one. */
  readonly marker: string | null;
  /** Database names added to the lane's production identities. */
  readonly productionDatabases: readonly string[];
}

/**
 * One step of a scenario: a setup must be allowed (F5), an attack refused (F1), and a race is
 * `copies` concurrent copies of one request of which exactly one may be allowed (G5).
 */
export type Step =
  | { readonly kind: "setup"; readonly bytes: Uint8Array }
  | { readonly kind: "attack"; readonly bytes: Uint8Array }
  | { readonly kind: "race"; readonly bytes: Uint8Array; readonly copies: number };

/** A rendered probe, ready to fire. */
export interface Probe {
  readonly family: string;
  readonly operation: Operation;
  readonly role: ProbeRole;
  readonly bytes: Uint8Array;
  /** fast-check's seed and path: regenerating from them gives the same bytes on the same versions. */
  readonly seed: number;
  readonly path?: string;
  readonly description: string;
  /** What breaks (attacks) or is exercised (controls). */
  readonly rule: string;
}

/** Output the target produced outside the response: logs, files, database rows. */
export interface SideChannels {
  readonly stdout: string;
  readonly stderr: string;
  /** Contents of files the target wrote during the probe (e.g. evidence, logs), by path. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Text of database rows the target wrote (the audit log, for instance). */
  readonly rows: readonly string[];
}

/**
 * The three ways SPEC section 8 reaches one gate and lane: library calls (T1), HTTP (T2) and JSON
 * lines (T3). A target that serves one system over several says which carried a request.
 */
export type Transport = "in-process" | "http" | "json-lines";

/** The same request bytes answered over another transport of the same system (differential oracle). */
export interface TransportCopy {
  readonly transport: Transport;
  readonly outcome: Outcome;
}

/** What firing a probe produced, with everything captured. */
export type Outcome =
  | {
      readonly kind: "responded";
      readonly elapsedMs: number;
      /** HTTP status, when the transport has one. */
      readonly status?: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: Uint8Array;
      readonly channels: SideChannels;
      /** Which transport carried it, where the target serves its system over several. */
      readonly transport?: Transport;
      /** The same bytes fired over the target's other transports, where it did so. */
      readonly copies?: readonly TransportCopy[];
    }
  | {
      readonly kind: "crashed";
      readonly elapsedMs: number;
      readonly detail: string;
      readonly channels: SideChannels;
    }
  | { readonly kind: "timed_out"; readonly elapsedMs: number; readonly channels: SideChannels }
  /** The harness itself failed (target unreachable, a bug here): never a pass, never a finding. */
  | { readonly kind: "harness_error"; readonly detail: string };

export type OutcomeKind = Outcome["kind"];

/** The state that F3 says must not change on a refused probe. */
export interface StateSnapshot {
  /**
   * Grants consumed so far (the ledger's count); absent from a target's rehearsal snapshot when
   * its lane cannot reach the ledger (Target.stateByOperation).
   */
  readonly consumedNonces?: number;
  /** The clone's digest, when the target has a lane. */
  readonly cloneDigest?: string;
  /** The production sentinel database's digest, when one is configured. */
  readonly sentinelDigest?: string;
  /**
   * Which incarnation of the system under test the snapshot was read from, where the target can
   * replace it (in process, after another probe hung): snapshots of two generations are not
   * comparable, since the later one starts from scratch and would hide what the probe changed.
   */
  readonly generation?: number;
}

/** How one request is fired, beyond its bytes. */
export interface FireRequest {
  /**
   * False: answer over one transport only, never copied to the others for the differential
   * oracle (a metamorphic variant, of which only the verdict is read). Default true.
   */
  readonly copies?: boolean;
}

/** A system under test, reached in process, over HTTP or through a child process. */
export interface Target {
  readonly name: string;
  /** Which operations this target serves. */
  readonly operations: readonly Operation[];
  /**
   * True when each operation changes only the state its own snapshot (state(operation)) reads and
   * writes only the side channels its own answers carry: the reference lane, whose gate never
   * touches the clone and whose lane holds no handle on the gate's ledger. The engine then keeps
   * F3's lock per operation, and a rehearsal runs beside the gate's decisions.
   */
  readonly stateByOperation?: boolean;
  fire(operation: Operation, bytes: Uint8Array, timeoutMs: number, options?: FireRequest): Promise<Outcome>;
  /**
   * Fires `copies` copies of one request so that they are in flight together (a race, G5 "also
   * under concurrent requests"); one outcome per copy, in order. A target that fires one probe at
   * a time (in process) needs this for its copies to overlap at all; without it the engine calls
   * `fire` once per copy, all at once.
   */
  fireCopies?(operation: Operation, bytes: Uint8Array, copies: number, timeoutMs: number): Promise<Outcome[]>;
  /** Rehearses on a fresh clone built as described (P07); only targets that own their lane can. */
  fireOnClone?(setup: CloneSetup, bytes: Uint8Array, timeoutMs: number): Promise<Outcome>;
  /**
   * Fires the bytes at a component of its own with `fault` provoked (faults/drills.ts), answering
   * with all it answered, printed, wrote and recorded; only targets that own their components can.
   */
  fireUnderFault?(
    fault: FaultName,
    operation: Operation,
    bytes: Uint8Array,
    timeoutMs: number,
  ): Promise<Outcome>;
  /**
   * Undefined when the target cannot report its state (an external gate): F3 then checks nothing.
   * The operation says what a probe could have changed: a clone digest costs tens of milliseconds
   * and is only needed around rehearsals.
   */
  state?(operation: Operation): Promise<StateSnapshot>;
  /** After a hang or a crash: bring the target back. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The document an operation answers with (SPEC T2: the body is always that document). */
export type AnswerDocument = VerdictDocument | RehearsalResult;

/**
 * An outcome's body, read once, strictly, as the operation's answer document, and handed to every
 * oracle: none of them decodes the body again.
 */
export type Answer =
  | { readonly kind: "document"; readonly document: AnswerDocument }
  /** The strict codec refused the body: its code and rule only, never input bytes (G7). */
  | { readonly kind: "undecodable"; readonly rejection: CodecRejection }
  /** Nothing answered: a crash, a hang or a harness error. */
  | { readonly kind: "none" };

/**
 * What a fired request must get, which decides the oracles that judge it (Oracle.appliesTo): an
 * attack (a probe of an attack family, or a scenario's attack step) must be refused; a control
 * must be allowed; a scenario's setup step must be allowed, its grants being fresh by the family's
 * model; each copy of a race step is judged with the others, exactly one of them allowed.
 */
export type Expectation = "attack" | "control" | "setup" | "race";

/** One oracle's verdict on one outcome. */
export type OracleVerdict =
  | { readonly kind: "pass" }
  | { readonly kind: "fail"; readonly reason: string }
  /** The oracle could not judge (it threw, or lacks data): the family becomes inconclusive. */
  | { readonly kind: "error"; readonly detail: string };

/**
 * Which keys under test a seal is checked against: every key (the default), only the key its
 * header's kid names, or every key but that one. The last two split one search in two, so that a
 * caller trying one token over many payloads can try the likely key on all of them first.
 */
export type SealScope = "any" | "named" | "others";

/** Where a request stands in a scenario: step `index` (0-based) of `count`. */
export interface StepPlace {
  readonly index: number;
  readonly count: number;
}

export interface OracleInput {
  readonly probe: Probe;
  readonly expectation: Expectation;
  readonly outcome: Outcome;
  /** The outcome's body decoded once (Answer); oracles read it instead of decoding again. */
  readonly answer: Answer;
  /** For scenario steps: which step this is. */
  readonly step?: StepPlace;
  /** For a race: this copy's index and the answers of every copy fired at once (this one included). */
  readonly race?: { readonly copy: number; readonly answers: readonly Answer[] };
  readonly before?: StateSnapshot;
  readonly after?: StateSnapshot;
  /** The secrets of the keyring under test, raw: the leak oracle searches every encoding of each. */
  readonly canaries: readonly string[];
  /** Verifies a JWS against the keys under test; returns the signing role if any key verifies it. */
  readonly sealedBy: (
    jws: string,
    scope?: SealScope,
  ) => Promise<"owner" | "operator" | "gate" | "rehearsal" | undefined>;
  /**
   * Fires variants of this probe at the same target (the metamorphic oracle, issue #15); absent for
   * scenario steps, races and clone probes, and where a caller fires one request alone.
   */
  readonly variants?: VariantFiring;
}

/** The keys, clock and salt a run built its documents with: variants are re-sealed with them. */
export interface MetamorphicKeys {
  readonly keyring: Keyring;
  readonly now: number;
  readonly salt: string;
}

/** What the metamorphic oracle needs: the run's keys, and the target the probe was fired at. */
export interface VariantFiring extends MetamorphicKeys {
  /** Fires a variant's bytes at the same target and operation; a hang or a crash restarts it. */
  fire(bytes: Uint8Array): Promise<Outcome>;
}

/** SPEC section 9's oracles are small named functions in one registry (like Schemathesis checks). */
export interface Oracle {
  readonly name: string;
  /** The F rule it checks. */
  readonly rule: "F1" | "F2" | "F3" | "F4" | "F5";
  /** Which requests it judges. */
  readonly appliesTo: Expectation | "all";
  judge(input: OracleInput): Promise<OracleVerdict>;
}

/**
 * What one probe came to across every oracle that applies to it (oracles/judge.ts): a failure of
 * any oracle is a failure (the first in registry order names it), else an oracle or harness error
 * is an error (inconclusive), else a pass.
 */
export type Judgement =
  | { readonly kind: "pass" }
  | {
      readonly kind: "fail";
      readonly oracle: Oracle;
      readonly reason: string;
      /** What the target did: a hang is confirmed with more time before it counts (family-run.ts). */
      readonly outcome: OutcomeKind;
    }
  | { readonly kind: "error"; readonly detail: string };

/** A probe that made an oracle fail, confirmed by firing its bytes again, or flaky if not. */
export interface Finding {
  readonly id: string;
  readonly family: string;
  readonly oracle: string;
  readonly rule: string;
  readonly reason: string;
  readonly operation: Operation;
  readonly role: ProbeRole;
  readonly description: string;
  /** The exact bytes fired, base64. */
  readonly bytesB64: string;
  readonly seed: number;
  readonly path?: string;
  readonly now: number;
  readonly salt: string;
  readonly versions: Versions;
  readonly confirmation: "confirmed" | "flaky";
  /**
   * Milliseconds from the start of the run to the moment the failing probe was judged (before
   * shrinking and confirmation): the time to detection. Absent in findings saved before it existed.
   */
  readonly foundAtMs?: number;
  readonly target: string;
  /** For clone-target families: the clone the probe ran on. */
  readonly cloneSetup?: CloneSetup;
  /** For fault-drill families: the fault the bytes were fired under (a replay provokes it again). */
  readonly fault?: FaultName;
  /** For scenario families: every step, so a replay fires the whole sequence again. */
  readonly steps?: readonly {
    readonly kind: Step["kind"];
    readonly copies: number;
    readonly bytesB64: string;
  }[];
  /** What replay and a reader need beyond the bytes; added by the run API (src/fuzz/run/). */
  readonly evidence?: FindingEvidence;
}

/**
 * A finding's record of where and how it was found, so a replay cannot silently fire somewhere
 * else: the target, the keyring's public fingerprint, the answer received (bounded, scanned for
 * canaries), the seals in the bytes decoded, and the exact commands to replay it.
 */
export interface FindingEvidence {
  /** Kind and address or command; never a key or a keyring path's contents. */
  readonly target:
    | { readonly kind: "reference" }
    | { readonly kind: "http"; readonly url: string }
    | { readonly kind: "child"; readonly command: string };
  /** RFC 7638 thumbprints of the keyring under test (of the public half; of the secret for HS256). */
  readonly keyring: readonly { readonly kid: string; readonly role: string; readonly thumbprint: string }[];
  /** The answer to the probe's last firing (its confirmation), when the log still held it. */
  readonly answer?: RecordedAnswer;
  /** Every compact JWS in the bytes (at most 16), header and payload decoded. */
  readonly seals: readonly { readonly header: string; readonly payload: string }[];
  /** Copy-pasteable from the directory the run was started in. */
  readonly replay: { readonly command: string; readonly curl?: string };
}

export type RecordedAnswer =
  | {
      readonly kind: "responded";
      readonly status?: number;
      readonly headers: Readonly<Record<string, string>>;
      /** UTF-8 text of the body (or the child's line), cut at 4096 characters. */
      readonly body: string;
      readonly truncated: boolean;
    }
  | { readonly kind: "crashed"; readonly detail: string }
  | { readonly kind: "timed_out" }
  /** The answer held a planted canary: it is a leak, and it is not written anywhere. */
  | { readonly kind: "withheld"; readonly why: string };

export interface Versions {
  readonly failclosed: string;
  readonly node: string;
  readonly fastCheck: string;
  /** The seed corpus's tree id (SeedCorpus.digest); absent in findings made before seeds existed. */
  readonly corpus?: string;
}

/** How one family ended. */
export type FamilyStatus =
  | { readonly kind: "closed" }
  | { readonly kind: "finding" }
  /** Cut off below its minimum runs, or a harness or oracle error: blocks the release gate. */
  | { readonly kind: "inconclusive"; readonly why: string };

export interface FamilyResult {
  readonly family: string;
  readonly name: string;
  readonly role: ProbeRole;
  readonly operation: Operation;
  readonly rules: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly minRuns: number;
  readonly probes: number;
  readonly elapsedMs: number;
  /**
   * When the family's first generated probe was fired, in ms since the run started (issue #15:
   * every family fires within seconds); absent when it fired none.
   */
  readonly firstProbeMs?: number;
  readonly status: FamilyStatus;
  readonly findings: readonly Finding[];
}
