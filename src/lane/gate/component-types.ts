/**
 * The types of the gate's swappable parts (components.ts holds the shipped ones). Types alone, so
 * that authorize.ts can name the parts it runs without importing the module that wires them.
 */
import type { Decoded } from "../codec/decode.js";
import type {
  Action,
  ActionRequest,
  Blocker,
  DecisionPacket,
  DocumentsByKind,
  EvidenceClaims,
  GateReason,
  Grant,
  Option,
  SealedKind,
  VerdictDocument,
} from "../codec/documents.js";
import type { Result } from "../../kernel/result.js";
import type { Keyring } from "../seal/keyring.js";
import type { SealRejection, VerifiedSeal } from "../seal/verify.js";
import type { Ledger } from "./ledger/types.js";

/** The clock the grant checks read. */
export interface GrantClock {
  /** Epoch seconds, from the gate's clock. */
  readonly now: number;
  /** R9: tolerance for an issuer's clock running ahead (not_before, issued_at); 0 to 300 s. */
  readonly skewSeconds: number;
}

/** R1-R11 (P01): the request's bytes to a typed document, or a rejection. */
export type DecodeRequest = (bytes: Uint8Array) => Decoded<"action-request">;

/** S1-S6 (P02): a packet's, a grant's or the evidence's JWS, verified and then parsed. */
export type VerifySeal = <K extends SealedKind>(
  keyring: Keyring,
  kind: K,
  jws: string,
) => Promise<Result<VerifiedSeal<DocumentsByKind[K]>, SealRejection>>;

/** G2, G3 (P05): whether the packet's selected option permits the action. */
export type OptionPermits = (selected: Option, action: Action) => boolean;

/** G3 (P06): whether one blocker still stands in the way of a real run. */
export type BlockerOpen = (blocker: Blocker) => boolean;

/** G3 (P03): the grants' binding, windows and count; the reasons to refuse, or undefined. */
export type CheckGrants = (
  request: ActionRequest,
  packet: DecisionPacket,
  grants: readonly Grant[],
  clock: GrantClock,
) => GateReason[] | undefined;

/** G4 (P09): whether sealed evidence supports QT001_APPLY for this packet and grant. */
export type EvidenceSupports = (
  evidence: EvidenceClaims,
  packet: DecisionPacket,
  apply: Grant | undefined,
) => boolean;

/**
 * G7 (P10): a verdict to the bytes every transport sends. It is also handed the request's bytes,
 * only so that a test can model an error path that echoes them; the shipped writer never reads them.
 */
export type WriteVerdict = (verdict: VerdictDocument, request: Uint8Array) => Uint8Array;

/**
 * G5 (P04): the ledger the gate commits to, given the one it was configured with. A function
 * rather than a ledger, so that a flawed ledger can wrap the real one (and its audit log).
 */
export type WrapLedger = (configured: Ledger) => Ledger;

export interface GateComponents {
  readonly decodeRequest: DecodeRequest;
  readonly verifySeal: VerifySeal;
  readonly optionPermits: OptionPermits;
  readonly blockerOpen: BlockerOpen;
  readonly checkGrants: CheckGrants;
  readonly evidenceSupports: EvidenceSupports;
  readonly writeVerdict: WriteVerdict;
  readonly ledger: WrapLedger;
}

/** The parts authorize() runs: everything between the decoded request and the verdict. */
export type AuthorizeComponents = Pick<
  GateComponents,
  "verifySeal" | "optionPermits" | "blockerOpen" | "checkGrants" | "evidenceSupports"
>;
