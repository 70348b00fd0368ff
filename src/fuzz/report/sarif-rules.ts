/**
 * The SARIF rule catalogue: every rule id of the protocol (SPEC.md, docs/protocol.md) with a
 * one-line statement. Code scanning shows these as the rule of an alert, so a finding reads as
 * "the gate does not enforce G3", with the rule's text beside it.
 */
export interface SarifRuleText {
  readonly id: string;
  readonly name: string;
  readonly text: string;
}

export const SARIF_RULES: readonly SarifRuleText[] = [
  { id: "R1", name: "StrictUtf8", text: "Valid UTF-8 decoded fatally, no byte-order mark." },
  { id: "R2", name: "NoLoneSurrogate", text: "No lone surrogate in any string, escaped or not." },
  {
    id: "R3",
    name: "NoDuplicateMember",
    text: "No member name twice in one object, compared after unescaping.",
  },
  {
    id: "R4",
    name: "SizeLimits",
    text: "Depth, document, string and array limits, checked before any recursive walk.",
  },
  {
    id: "R5",
    name: "SafeIntegers",
    text: "Numbers are integers within ±(2^53−1), without fraction, exponent or -0.",
  },
  { id: "R6", name: "NoPrototypeKeys", text: "No member named __proto__, constructor or prototype." },
  {
    id: "R7",
    name: "ClosedSchema",
    text: "Root object, no member beyond the schema, every required member with the right JSON type.",
  },
  {
    id: "R8",
    name: "ByteExactEnums",
    text: "Enumerations, identifiers and roles match byte for byte in ASCII.",
  },
  {
    id: "R9",
    name: "StrictTimestamps",
    text: "RFC 3339 UTC timestamps that round-trip; validity windows with at most 5 minutes of skew.",
  },
  { id: "R10", name: "CompiledSchemas", text: "Schemas are JSON Schema files compiled once with ajv." },
  { id: "R11", name: "Identifiers", text: "Identifiers match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$." },
  { id: "S1", name: "KeyRoles", text: "A seal made with a key of another role is invalid for that purpose." },
  {
    id: "S2",
    name: "SealAlgorithm",
    text: "Compact JWS; the key is found by kid and its own algorithm is used; the header never chooses it.",
  },
  {
    id: "S3",
    name: "SealHeader",
    text: "The protected header holds exactly alg, kid and typ; strict base64url.",
  },
  { id: "S4", name: "SealType", text: "typ names the document kind and the payload's kind agrees with it." },
  { id: "S5", name: "VerifyThenParse", text: "The payload is parsed only after the seal verifies." },
  { id: "S6", name: "DetachedSeal", text: "An artifact's detached seal covers its exact bytes." },
  {
    id: "S7",
    name: "KeysAtStart",
    text: "A component refuses to start without the keys it needs or with example keys.",
  },
  { id: "G1", name: "HoldByDefault", text: "HOLD when the packet selects the default HOLD_PRODUCTION." },
  {
    id: "G2",
    name: "OptionLadder",
    text: "DRYRUN and REALRUN_PRECHECK need their option and grant; a weaker option never implies a stronger one.",
  },
  {
    id: "G3",
    name: "IrreversibleActions",
    text: "An irreversible action needs EXECUTION, every blocker DISCHARGED, a REAL_RUN grant and a distinct grant for the action.",
  },
  {
    id: "G4",
    name: "RehearsalEvidence",
    text: "QT001_APPLY needs passing clone evidence listed in the packet and bound to the grant's artifact.",
  },
  {
    id: "G5",
    name: "SingleUseGrants",
    text: "On ALLOW the grants' nonces are consumed atomically and never allow again.",
  },
  {
    id: "G6",
    name: "DenyOtherwise",
    text: "Everything else is DENY; an exception, a timeout or a failing dependency is a DENY.",
  },
  {
    id: "G7",
    name: "QuietRefusals",
    text: "A HOLD or DENY carries no permit, no JWS, no key material and echoes no input.",
  },
  { id: "G8", name: "StateInPostgres", text: "A refused request changes nothing but the audit log." },
  {
    id: "C1",
    name: "CloneGuard",
    text: "A rehearsal runs only on a marked clone, never on production, never as a superuser.",
  },
  {
    id: "C2",
    name: "ParsedMigration",
    text: "Transaction control, non-transactional statements and side channels are refused before anything runs.",
  },
  {
    id: "C3",
    name: "TransactionalMode",
    text: "Apply inside one transaction, roll back, digest from a fresh session.",
  },
  { id: "C4", name: "SnapshotRestore", text: "Snapshot, apply, restore; a failed restore is a failure." },
  {
    id: "C5",
    name: "CanonicalDigest",
    text: "A canonical digest of rows, sequences, schema and cluster objects that cannot be fooled.",
  },
  {
    id: "C6",
    name: "HardenedValidator",
    text: "PASS only if the apply changed the clone and the rollback restored it exactly.",
  },
  {
    id: "C7",
    name: "EvidenceAlways",
    text: "Every rehearsal leaves sealed evidence; the lane never holds owner or gate keys.",
  },
  {
    id: "E1",
    name: "EvidenceFiles",
    text: "Evidence holds regular files and directories with safe names only.",
  },
  { id: "E2", name: "EvidenceTreeId", text: "The tree id is git's SHA-256 tree object id." },
  {
    id: "E3",
    name: "EvidenceSeal",
    text: "The evidence seal carries the tree, ids, verdict, digests and scope clone.",
  },
  {
    id: "E4",
    name: "EvidenceVerify",
    text: "Verification recomputes the tree id; any changed byte, symlink or bad name fails it.",
  },
  { id: "T1", name: "InProcess", text: "In process, as library functions over bytes." },
  { id: "T2", name: "Http", text: "HTTP with fixed status codes; the body is always the verdict or result." },
  { id: "T3", name: "JsonLines", text: "A child process speaking JSON lines." },
  {
    id: "F1",
    name: "NeverAllowAnAttack",
    text: "An attack gets DENY, HOLD, FAIL or REFUSED, never ALLOW or PASS.",
  },
  {
    id: "F2",
    name: "NoLeak",
    text: "No permit, no seal of a privileged role and no key material in any output.",
  },
  { id: "F3", name: "NoStateChange", text: "No state changes but the audit log." },
  {
    id: "F4",
    name: "StructuredDenial",
    text: "A verdict document in time: a crash, a 5xx, a hang or a stack trace is a finding.",
  },
  {
    id: "F5",
    name: "ControlsHold",
    text: "Fully authorised requests are allowed and clean rehearsals pass.",
  },
];
