/**
 * The gate ledger's schema, as numbered migrations. A shipped migration is never edited: a change
 * is a new entry at the end, because databases in the field already ran the old text. Versions
 * are 1, 2, 3, ... with no gaps (migrate.ts relies on it).
 *
 * Vocabularies (actions, reason codes) are spelled out here rather than generated from the codec's
 * constants for the same reason; test/lane/gate/ledger.test.ts checks that they still agree.
 */
export const LEDGER_SCHEMA = "failclosed_gate";

export interface LedgerMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

// Shared by several CHECK constraints of version 1.
const IDENTIFIER = `'^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'`;
const PACKET_ID = `'^[A-Z0-9][A-Z0-9-]{2,63}$'`;
// base64url without padding of 16 to 64 bytes is 22 to 86 characters; canonical form is the
// codec's job, the database only makes sure nothing but such a token is ever stored.
const NONCE = `'^[A-Za-z0-9_-]{22,86}$'`;
const ACTIONS_V1 = `'DRYRUN', 'REALRUN_PRECHECK', 'REAL_RUN', 'QT001_APPLY', 'PERMIT', 'ACTIVATION', 'REPOINT', 'CUTOVER'`;
// An array literal rather than ARRAY[...]: each INSERT plans the CHECK afresh, and one constant is
// folded faster than fourteen (measured: the reasons check was the audit insert's largest cost).
const REASONS_V1 = `'{hold_default,malformed_input,schema_violation,seal_invalid,wrong_role_or_type,expired,replayed,
  option_forbids,blocker_open,grant_missing,grant_mismatched,evidence_missing,evidence_invalid,internal_error}'`;

const V1 = `
-- Raised by the triggers that make the ledger's tables append-only (G5: a consumed nonce never
-- allows again; the audit log is evidence). Rolling back an insert is not a DELETE and still works.
CREATE FUNCTION ${LEDGER_SCHEMA}.refuse_change() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
BEGIN
  RAISE EXCEPTION '${LEDGER_SCHEMA}.% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$fn$;

-- One row per grant used by an ALLOW. Both keys are unique on their own: a grant is used once,
-- and a nonce once consumed never allows again, even under another grant_id.
CREATE TABLE ${LEDGER_SCHEMA}.consumed_nonces (
  grant_id    text COLLATE "C" NOT NULL,
  nonce       text COLLATE "C" NOT NULL,
  packet_id   text COLLATE "C" NOT NULL,
  action      text COLLATE "C" NOT NULL,
  request_id  text COLLATE "C" NOT NULL,
  consumed_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumed_nonces_grant_id_key PRIMARY KEY (grant_id),
  CONSTRAINT consumed_nonces_nonce_key UNIQUE (nonce),
  CONSTRAINT consumed_nonces_grant_id_check CHECK (grant_id ~ ${IDENTIFIER}),
  CONSTRAINT consumed_nonces_nonce_check CHECK (nonce ~ ${NONCE}),
  CONSTRAINT consumed_nonces_packet_id_check CHECK (packet_id ~ ${PACKET_ID}),
  CONSTRAINT consumed_nonces_action_check CHECK (action IN (${ACTIONS_V1})),
  CONSTRAINT consumed_nonces_request_id_check CHECK (request_id ~ ${IDENTIFIER})
);

CREATE TRIGGER consumed_nonces_append_only BEFORE UPDATE OR DELETE ON ${LEDGER_SCHEMA}.consumed_nonces
  FOR EACH ROW EXECUTE FUNCTION ${LEDGER_SCHEMA}.refuse_change();
CREATE TRIGGER consumed_nonces_no_truncate BEFORE TRUNCATE ON ${LEDGER_SCHEMA}.consumed_nonces
  FOR EACH STATEMENT EXECUTE FUNCTION ${LEDGER_SCHEMA}.refuse_change();

-- Every verdict the gate reaches. Only validated identifiers and fixed codes: never input bytes,
-- never a secret, never a permit (only its id).
CREATE TABLE ${LEDGER_SCHEMA}.audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  request_id text COLLATE "C" NULL,
  verdict    text COLLATE "C" NOT NULL,
  reasons    text[] COLLATE "C" NOT NULL,
  action     text COLLATE "C" NULL,
  packet_id  text COLLATE "C" NULL,
  permit_id  text COLLATE "C" NULL,
  CONSTRAINT audit_log_verdict_check CHECK (verdict IN ('ALLOW', 'HOLD', 'DENY')),
  -- One dimension, at most 16 codes, all from the fixed vocabulary (<@ never matches a NULL
  -- element, so none slips in); a refusal names at least one (schemas/verdict.schema.json).
  CONSTRAINT audit_log_reasons_check CHECK (
    coalesce(array_ndims(reasons), 1) = 1
    AND cardinality(reasons) <= 16
    AND reasons <@ ${REASONS_V1}::text[]
    AND (verdict = 'ALLOW' OR cardinality(reasons) >= 1)
  ),
  CONSTRAINT audit_log_request_id_check CHECK (request_id ~ ${IDENTIFIER}),
  CONSTRAINT audit_log_action_check CHECK (action IN (${ACTIONS_V1})),
  CONSTRAINT audit_log_packet_id_check CHECK (packet_id ~ ${PACKET_ID}),
  CONSTRAINT audit_log_permit_id_check CHECK (permit_id ~ ${IDENTIFIER}),
  -- G7: a refusal carries no permit; an ALLOW always names what it allowed.
  CONSTRAINT audit_log_permit_only_on_allow CHECK ((verdict = 'ALLOW') = (permit_id IS NOT NULL)),
  CONSTRAINT audit_log_allow_complete CHECK (
    verdict <> 'ALLOW' OR (request_id IS NOT NULL AND action IS NOT NULL AND packet_id IS NOT NULL)
  )
);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON ${LEDGER_SCHEMA}.audit_log
  FOR EACH ROW EXECUTE FUNCTION ${LEDGER_SCHEMA}.refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON ${LEDGER_SCHEMA}.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION ${LEDGER_SCHEMA}.refuse_change();
`;

// The ledger's identity (issue #13): a gate told which ledger to expect refuses any other, so a
// restart on a fresh, empty ledger (a typo, a missing URL) cannot forget the grants consumed. One
// row at most, written once by ledger-identity.ts, never changed.
const V2 = `
CREATE TABLE ${LEDGER_SCHEMA}.ledger_identity (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  ledger_id  text COLLATE "C" NOT NULL CHECK (ledger_id ~ ${IDENTIFIER}),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER ledger_identity_append_only BEFORE UPDATE OR DELETE ON ${LEDGER_SCHEMA}.ledger_identity
  FOR EACH ROW EXECUTE FUNCTION ${LEDGER_SCHEMA}.refuse_change();
CREATE TRIGGER ledger_identity_no_truncate BEFORE TRUNCATE ON ${LEDGER_SCHEMA}.ledger_identity
  FOR EACH STATEMENT EXECUTE FUNCTION ${LEDGER_SCHEMA}.refuse_change();
`;

export const LEDGER_MIGRATIONS: readonly LedgerMigration[] = [
  { version: 1, description: "consumed nonces and append-only audit log", sql: V1 },
  { version: 2, description: "the ledger's identity", sql: V2 },
];

/** The names of the constraints whose unique violation means "this grant or nonce was used". */
export const CONSUMED_UNIQUE_CONSTRAINTS: readonly string[] = [
  "consumed_nonces_grant_id_key",
  "consumed_nonces_nonce_key",
];
