/**
 * Deny twins (G1-G4, G6, G7, G8, R8, R9): for every allowed case, requests that differ from it in
 * exactly one field, each with the exact verdict and reasons expected. Every row also checks that
 * a refusal changed nothing but the audit log (G8) and that its body is a bare refusal (G7).
 * A few rows are positive controls (ALLOW) that pin the edges: skew just within tolerance, a
 * dry run not bound by blockers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Action, GateReason } from "../../../src/lane/codec/documents.js";
import { ACTIONS, BLOCKER_STATUSES } from "../../../src/lane/codec/documents.js";
import type { Role } from "../../../src/lane/seal/roles.js";
import {
  BASE_NOW,
  DIGEST_AFTER,
  DIGEST_BEFORE,
  Docs,
  OTHER_PACKET_ID,
  expectAllowShape,
  expectPermitFor,
  expectRefusal,
  freshNonce,
  iso,
  lookalikes,
  makeTestKeys,
  newGate,
  optionFor,
  reordered,
  sha256Hex,
  uniqueId,
  weakerOptions,
  type Doc,
  type Scenario,
  type SealedPart,
  type TestGate,
  type TestKeys,
} from "../../support/gate-fixtures.js";

type Expected =
  | { readonly verdict: "ALLOW" }
  | {
      readonly verdict: "HOLD" | "DENY";
      readonly reasons: readonly GateReason[];
      /** False when the request itself no longer decodes: then no request_id comes back (G7). */
      readonly wellFormed: boolean;
    };

interface Twin {
  readonly name: string;
  readonly mutate: (s: Scenario, d: Docs) => void;
  readonly expected: Expected;
}

const ALLOW: Expected = { verdict: "ALLOW" };
const deny = (reasons: readonly GateReason[], wellFormed = true): Expected => ({
  verdict: "DENY",
  reasons,
  wellFormed,
});
const HOLD: Expected = { verdict: "HOLD", reasons: ["hold_default"], wellFormed: true };

const IRREVERSIBLE: ReadonlySet<Action> = new Set([
  "QT001_APPLY",
  "PERMIT",
  "ACTIVATION",
  "REPOINT",
  "CUTOVER",
]);
const WRONG_ROLES: readonly Role[] = ["operator", "gate", "rehearsal"];

/** Blockers bind every action that needs AUTHORIZE_PRODUCTION_EXECUTION (G3); dry runs are not bound. */
function bindsBlockers(action: Action): boolean {
  return optionFor(action) === "AUTHORIZE_PRODUCTION_EXECUTION";
}

/** The grant for the action itself: the last one (REAL_RUN comes first for irreversible actions). */
function actionGrant(s: Scenario): SealedPart {
  const grant = s.grants[s.grants.length - 1];
  if (grant === undefined) throw new Error("scenario without grants");
  return grant;
}

function blockers(s: Scenario): Doc[] {
  return s.packet.payload["blockers"] as Doc[];
}

function evidence(s: Scenario): Doc {
  if (s.evidence === undefined) throw new Error("scenario without evidence");
  return s.evidence.payload;
}

/** An action that needs no grant this request carries: the extra, unneeded one. */
function unneededAction(action: Action): Action {
  return action === "DRYRUN" ? "REALRUN_PRECHECK" : "DRYRUN";
}

/** Flips one character of a compact JWS's signature: same header and payload, bad seal. */
function tamperSignature(jws: string): string {
  const last = jws.at(-2) === "A" ? "B" : "A";
  return `${jws.slice(0, -2)}${last}${jws.slice(-1)}`;
}

/** Replaces the payload of a JWS with another's, keeping header and signature. */
function swapPayload(jws: string, from: string): string {
  const [header, , signature] = jws.split(".");
  return `${header ?? ""}.${from.split(".")[1] ?? ""}.${signature ?? ""}`;
}

function twinsFor(action: Action): Twin[] {
  const rows: Twin[] = [];
  const irreversible = IRREVERSIBLE.has(action);
  const grantLabel = irreversible ? `${action} grant` : "grant";

  // --- R8: look-alike enumerations, in the request and inside each sealed document ---
  for (const [how, value] of lookalikes(action)) {
    rows.push({
      name: `request action, ${how}`,
      mutate: (s) => void (s.action = value),
      expected: deny(["schema_violation"], false),
    });
    rows.push({
      name: `${grantLabel} action, ${how}`,
      mutate: (s) => void (actionGrant(s).payload["action"] = value),
      expected: deny(["schema_violation"]),
    });
  }
  for (const [how, value] of lookalikes("production")) {
    rows.push({
      name: `request target, ${how}`,
      mutate: (s) => void (s.target = value),
      expected: deny(["schema_violation"], false),
    });
    rows.push({
      name: `${grantLabel} target, ${how}`,
      mutate: (s) => void (actionGrant(s).payload["target"] = value),
      expected: deny(["schema_violation"]),
    });
  }
  for (const [how, value] of lookalikes(optionFor(action))) {
    rows.push({
      name: `packet selected, ${how}`,
      mutate: (s) => void (s.packet.payload["selected"] = value),
      expected: deny(["schema_violation"]),
    });
  }
  for (const [how, value] of lookalikes("DISCHARGED")) {
    rows.push({
      name: `blocker status, ${how}`,
      mutate: (s) => void (blockers(s)[1]!["status"] = value),
      expected: deny(["schema_violation"]),
    });
  }
  for (const [how, value] of lookalikes("HOLD_PRODUCTION")) {
    rows.push({
      name: `packet default, ${how}`,
      mutate: (s) => void (s.packet.payload["default"] = value),
      expected: deny(["schema_violation"]),
    });
  }
  rows.push({
    name: "packet default is not HOLD_PRODUCTION",
    mutate: (s) => void (s.packet.payload["default"] = optionFor(action)),
    expected: deny(["schema_violation"]),
  });

  // --- G2/G3: the option; a weaker one never implies a stronger ---
  for (const option of weakerOptions(action)) {
    rows.push({
      name: `weaker option ${option}`,
      mutate: (s) => void (s.packet.payload["selected"] = option),
      expected: option === "HOLD_PRODUCTION" ? HOLD : deny(["option_forbids"]),
    });
  }

  // --- G3: blockers ---
  for (const status of BLOCKER_STATUSES.filter((st) => st !== "DISCHARGED")) {
    rows.push({
      name: `one blocker ${status}`,
      mutate: (s) => void (blockers(s)[1]!["status"] = status),
      expected: bindsBlockers(action) ? deny(["blocker_open"]) : ALLOW,
    });
  }
  rows.push({
    name: "no blockers at all (positive control)",
    mutate: (s) => void (s.packet.payload["blockers"] = []),
    expected: ALLOW,
  });

  // --- G2/G3: grants for the right action ---
  for (const other of ACTIONS.filter((a) => a !== action)) {
    rows.push({
      name: `${grantLabel} replaced by a grant for ${other}`,
      mutate: (s, d) => void (actionGrant(s).payload = d.grant(other)),
      expected: deny(["grant_mismatched", "grant_missing"]),
    });
  }
  if (irreversible) {
    for (const other of ACTIONS.filter((a) => a !== "REAL_RUN" && a !== action)) {
      rows.push({
        name: `REAL_RUN grant replaced by a grant for ${other}`,
        mutate: (s, d) => void (s.grants[0]!.payload = d.grant(other)),
        expected: deny(["grant_mismatched", "grant_missing"]),
      });
    }
    rows.push({
      name: "missing REAL_RUN grant",
      mutate: (s) => void s.grants.shift(),
      expected: deny(["grant_missing"]),
    });
    rows.push({
      name: `missing ${action} grant`,
      mutate: (s) => void s.grants.pop(),
      expected: deny(["grant_missing"]),
    });
    rows.push({
      name: "REAL_RUN and action grants share a nonce",
      mutate: (s) => void (actionGrant(s).payload["nonce"] = s.grants[0]!.payload["nonce"]),
      expected: deny(["grant_mismatched"]),
    });
    rows.push({
      name: "REAL_RUN and action grants share a grant_id",
      mutate: (s) => void (actionGrant(s).payload["grant_id"] = s.grants[0]!.payload["grant_id"]),
      expected: deny(["grant_mismatched"]),
    });
    rows.push({
      name: "REAL_RUN grant for another packet_id",
      mutate: (s) => void (s.grants[0]!.payload["packet_id"] = OTHER_PACKET_ID),
      expected: deny(["grant_mismatched"]),
    });
    rows.push({
      name: "REAL_RUN grant expired",
      mutate: (s) => {
        s.grants[0]!.payload["not_before"] = iso(BASE_NOW - 7200);
        s.grants[0]!.payload["expires_at"] = iso(BASE_NOW - 1);
      },
      expected: deny(["expired"]),
    });
    for (const role of WRONG_ROLES) {
      rows.push({
        name: `REAL_RUN grant sealed by the ${role} key`,
        mutate: (s) => void (s.grants[0]!.role = role),
        expected: deny(["wrong_role_or_type"]),
      });
    }
  }
  rows.push({
    name: "no grants at all",
    mutate: (s) => void (s.grants = []),
    expected: deny(["grant_missing"]),
  });
  rows.push({
    name: `${grantLabel} for another packet_id`,
    mutate: (s) => void (actionGrant(s).payload["packet_id"] = OTHER_PACKET_ID),
    expected: deny(["grant_mismatched"]),
  });
  rows.push({
    name: "the same grant twice (identical JWS)",
    mutate: (s) => void s.grants.push({ ...actionGrant(s) }),
    // uniqueItems in the request schema catches the byte-identical copy before any seal check.
    expected: deny(["schema_violation"], false),
  });
  rows.push({
    name: "the same grant twice (re-serialised, so another valid JWS)",
    mutate: (s) => void s.grants.push({ ...actionGrant(s), serialize: reordered }),
    expected: deny(["grant_mismatched"]),
  });
  rows.push({
    name: "a second grant for the same action sharing the nonce",
    mutate: (s, d) =>
      void s.grants.push({
        payload: d.grant(action, { nonce: actionGrant(s).payload["nonce"] }),
        role: "owner",
      }),
    expected: deny(["grant_mismatched"]),
  });
  rows.push({
    name: "a second grant for the same action sharing the grant_id",
    mutate: (s, d) =>
      void s.grants.push({
        payload: d.grant(action, { grant_id: actionGrant(s).payload["grant_id"] }),
        role: "owner",
      }),
    expected: deny(["grant_mismatched"]),
  });
  rows.push({
    name: "a second, distinct grant for the same action",
    mutate: (s, d) => void s.grants.push({ payload: d.grant(action), role: "owner" }),
    expected: deny(["grant_mismatched"]),
  });
  rows.push({
    name: `an extra unneeded ${unneededAction(action)} grant`,
    mutate: (s, d) => void s.grants.push({ payload: d.grant(unneededAction(action)), role: "owner" }),
    expected: deny(["grant_mismatched"]),
  });

  // --- R9: the grant's window (skew 60 s on not_before, none on expiry) ---
  rows.push({
    name: `${grantLabel} expires this second`,
    mutate: (s) => {
      actionGrant(s).payload["not_before"] = iso(BASE_NOW - 3600);
      actionGrant(s).payload["expires_at"] = iso(BASE_NOW);
    },
    expected: deny(["expired"]),
  });
  rows.push({
    name: `${grantLabel} expired an hour ago`,
    mutate: (s) => {
      actionGrant(s).payload["not_before"] = iso(BASE_NOW - 7200);
      actionGrant(s).payload["expires_at"] = iso(BASE_NOW - 3600);
    },
    expected: deny(["expired"]),
  });
  rows.push({
    name: `${grantLabel} expires in one second (positive control)`,
    mutate: (s) => void (actionGrant(s).payload["expires_at"] = iso(BASE_NOW + 1)),
    expected: ALLOW,
  });
  for (const [ahead, expected] of [
    [30, ALLOW],
    [60, ALLOW],
    [61, deny(["expired"])],
    [120, deny(["expired"])],
  ] as const) {
    rows.push({
      name: `${grantLabel} not_before ${ahead} s ahead (skew 60)`,
      mutate: (s) => void (actionGrant(s).payload["not_before"] = iso(BASE_NOW + ahead)),
      expected,
    });
  }

  rows.push({
    name: `${grantLabel} window longer than 24 h (R9)`,
    mutate: (s) => {
      actionGrant(s).payload["not_before"] = iso(BASE_NOW - 60);
      actionGrant(s).payload["expires_at"] = iso(BASE_NOW - 60 + 86_400 + 1);
    },
    expected: deny(["schema_violation"]),
  });
  rows.push({
    name: `${grantLabel} window that ends before it starts (R9)`,
    mutate: (s) => {
      actionGrant(s).payload["not_before"] = iso(BASE_NOW + 60);
      actionGrant(s).payload["expires_at"] = iso(BASE_NOW - 60);
    },
    expected: deny(["schema_violation"]),
  });
  rows.push({
    name: `${grantLabel} timestamp that does not round-trip (R9)`,
    mutate: (s) => void (actionGrant(s).payload["expires_at"] = "2030-02-31T00:00:00Z"),
    expected: deny(["schema_violation"]),
  });

  // --- S1/S4: who sealed what, and as what ---
  for (const role of WRONG_ROLES) {
    rows.push({
      name: `${grantLabel} sealed by the ${role} key`,
      mutate: (s) => void (actionGrant(s).role = role),
      expected: deny(["wrong_role_or_type"]),
    });
    rows.push({
      name: `packet sealed by the ${role} key`,
      mutate: (s) => void (s.packet.role = role),
      expected: deny(["wrong_role_or_type"]),
    });
  }
  rows.push({
    name: `${grantLabel} sealed as a decision packet (typ)`,
    mutate: (s) => void (actionGrant(s).typ = "decision-packet+jws"),
    expected: deny(["wrong_role_or_type"]),
  });
  rows.push({
    name: `${grantLabel} typ, case look-alike`,
    mutate: (s) => void (actionGrant(s).typ = "Grant+jws"),
    // The header schema only knows the six seal types: an unknown typ is a malformed header (S3).
    expected: deny(["seal_invalid"]),
  });
  rows.push({
    name: "packet sealed as a grant (typ)",
    mutate: (s) => void (s.packet.typ = "grant+jws"),
    expected: deny(["wrong_role_or_type"]),
  });
  rows.push({
    name: "a grant JWS in the packet slot",
    mutate: (s) => void (s.post = (sealed) => void (sealed.packet = sealed.grants[0] ?? sealed.packet)),
    expected: deny(["wrong_role_or_type"]),
  });
  rows.push({
    name: "packet signature altered",
    mutate: (s) => void (s.post = (sealed) => void (sealed.packet = tamperSignature(sealed.packet))),
    expected: deny(["seal_invalid"]),
  });
  rows.push({
    name: `${grantLabel} signature altered`,
    mutate: (s) =>
      void (s.post = (sealed) => {
        const last = sealed.grants.length - 1;
        sealed.grants[last] = tamperSignature(sealed.grants[last] ?? "");
      }),
    expected: deny(["seal_invalid"]),
  });
  rows.push({
    name: "packet payload swapped under its signature",
    mutate: (s) =>
      void (s.post = (sealed) => void (sealed.packet = swapPayload(sealed.packet, sealed.grants[0] ?? ""))),
    expected: deny(["seal_invalid"]),
  });
  rows.push({
    name: `${grantLabel} with an unknown kid`,
    mutate: (s) => void (actionGrant(s).kid = "owner-unknown"),
    expected: deny(["seal_invalid"]),
  });

  // --- G1, R9: the packet itself ---
  rows.push({
    name: "packet selects HOLD_PRODUCTION",
    mutate: (s) => void (s.packet.payload["selected"] = "HOLD_PRODUCTION"),
    expected: HOLD,
  });
  rows.push({
    name: "packet expires this second",
    mutate: (s) => {
      s.packet.payload["issued_at"] = iso(BASE_NOW - 86_400);
      s.packet.payload["expires_at"] = iso(BASE_NOW);
    },
    expected: deny(["expired"]),
  });
  rows.push({
    name: "packet expired a day ago",
    mutate: (s) => {
      s.packet.payload["issued_at"] = iso(BASE_NOW - 10 * 86_400);
      s.packet.payload["expires_at"] = iso(BASE_NOW - 86_400);
    },
    expected: deny(["expired"]),
  });
  rows.push({
    name: "HOLD_PRODUCTION packet that expired is DENY, not HOLD",
    mutate: (s) => {
      s.packet.payload["selected"] = "HOLD_PRODUCTION";
      s.packet.payload["issued_at"] = iso(BASE_NOW - 86_400);
      s.packet.payload["expires_at"] = iso(BASE_NOW);
    },
    expected: deny(["expired"]),
  });
  rows.push({
    name: "packet valid for longer than 30 days",
    mutate: (s) => void (s.packet.payload["expires_at"] = iso(BASE_NOW - 3600 + 30 * 86_400 + 1)),
    expected: deny(["schema_violation"]),
  });
  rows.push({
    name: "packet with two blockers sharing an id",
    mutate: (s) => void (blockers(s)[1]!["id"] = blockers(s)[0]!["id"]),
    expected: deny(["schema_violation"]),
  });
  for (const [ahead, expected] of [
    [30, ALLOW],
    [120, deny(["expired"])],
    [86_400, deny(["expired"])],
  ] as const) {
    rows.push({
      name: `packet issued ${ahead} s in the future (skew 60)`,
      mutate: (s) => {
        s.packet.payload["issued_at"] = iso(BASE_NOW + ahead);
        s.packet.payload["expires_at"] = iso(BASE_NOW + ahead + 86_400);
      },
      expected,
    });
  }
  rows.push({
    name: "packet and grants for another packet_id together (positive control: ids agree)",
    mutate: (s) => {
      s.packet.payload["packet_id"] = OTHER_PACKET_ID;
      for (const g of s.grants) g.payload["packet_id"] = OTHER_PACKET_ID;
      if (s.evidence !== undefined) s.evidence.payload["packet_id"] = OTHER_PACKET_ID;
    },
    expected: ALLOW,
  });

  // --- G4: evidence ---
  if (action === "QT001_APPLY") rows.push(...evidenceTwins());
  else {
    rows.push({
      name: "evidence on an action that takes none",
      mutate: (s, d) => void (s.evidence = { payload: d.evidence(), role: "rehearsal" }),
      expected: deny(["schema_violation"], false),
    });
  }
  return rows;
}

function evidenceTwins(): Twin[] {
  const rows: Twin[] = [
    // The request schema requires evidence for QT001_APPLY, so its absence is a schema violation.
    {
      name: "evidence missing",
      mutate: (s) => void delete s.evidence,
      expected: deny(["schema_violation"], false),
    },
    {
      name: "evidence verdict FAIL",
      mutate: (s) => void (evidence(s)["verdict"] = "FAIL"),
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "evidence verdict REFUSED",
      mutate: (s) => {
        evidence(s)["verdict"] = "REFUSED";
        evidence(s)["reasons"] = ["refused_by_guard"];
      },
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "evidence tree not listed in the packet",
      mutate: (s) => void (evidence(s)["tree"] = sha256Hex("another tree")),
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "packet lists no evidence at all",
      mutate: (s) => void (s.packet.payload["evidence"] = []),
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "evidence artifact_sha256 differs from the grant's",
      mutate: (s) => void (evidence(s)["artifact_sha256"] = sha256Hex("another migration")),
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "grant artifact_sha256 differs from the evidence's",
      mutate: (s) => void (actionGrant(s).payload["artifact_sha256"] = sha256Hex("another migration")),
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "QT001_APPLY grant without artifact_sha256",
      mutate: (s) => void delete actionGrant(s).payload["artifact_sha256"],
      expected: deny(["schema_violation"]),
    },
    {
      name: "evidence for another packet_id",
      mutate: (s) => void (evidence(s)["packet_id"] = OTHER_PACKET_ID),
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "evidence after_apply equals before (a no-op)",
      mutate: (s) => void (evidence(s)["after_apply"] = DIGEST_BEFORE),
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "evidence after_rollback differs from before (not restored)",
      mutate: (s) => void (evidence(s)["after_rollback"] = DIGEST_AFTER),
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "evidence before is null",
      mutate: (s) => void (evidence(s)["before"] = null),
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "evidence after_apply and after_rollback are null",
      mutate: (s) => {
        evidence(s)["after_apply"] = null;
        evidence(s)["after_rollback"] = null;
      },
      expected: deny(["evidence_invalid"]),
    },
    {
      name: "evidence sealed as a grant (typ)",
      mutate: (s) => void (s.evidence!.typ = "grant+jws"),
      expected: deny(["evidence_invalid", "wrong_role_or_type"]),
    },
    {
      name: "a grant JWS in the evidence slot",
      mutate: (s) => void (s.post = (sealed) => void (sealed.evidence = sealed.grants[0])),
      expected: deny(["evidence_invalid", "wrong_role_or_type"]),
    },
    {
      name: "evidence signature altered",
      mutate: (s) =>
        void (s.post = (sealed) => void (sealed.evidence = tamperSignature(sealed.evidence ?? ""))),
      expected: deny(["evidence_invalid", "seal_invalid"]),
    },
  ];
  for (const role of ["owner", "operator", "gate"] as const) {
    rows.push({
      name: `evidence sealed by the ${role} key instead of rehearsal`,
      mutate: (s) => void (s.evidence!.role = role),
      expected: deny(["evidence_invalid", "wrong_role_or_type"]),
    });
  }
  for (const [how, value] of lookalikes("PASS")) {
    rows.push({
      name: `evidence verdict, ${how}`,
      mutate: (s) => void (evidence(s)["verdict"] = value),
      expected: deny(["evidence_invalid", "schema_violation"]),
    });
  }
  for (const [how, value] of lookalikes("clone")) {
    rows.push({
      name: `evidence scope, ${how}`,
      mutate: (s) => void (evidence(s)["scope"] = value),
      expected: deny(["evidence_invalid", "schema_violation"]),
    });
  }
  return rows;
}

let keys: TestKeys;
let docs: Docs;
let tg: TestGate;

beforeAll(async () => {
  keys = await makeTestKeys();
  docs = new Docs(keys, BASE_NOW);
  tg = await newGate({ engine: "pglite", keys, skewSeconds: 60 });
});

afterAll(async () => {
  await tg?.close();
});

describe.each(ACTIONS)("deny twins of a fully authorised %s", (action) => {
  it("the unchanged request is allowed (the twins' positive control)", async () => {
    const request = await docs.authorized(action);
    const decision = await tg.decide(request.bytes);
    await expectPermitFor(expectAllowShape(decision.bytes, request.requestId), keys, {
      requestId: request.requestId,
      action,
      grantIds: request.grantIds,
      issuedAt: BASE_NOW,
    });
  });

  it.each(twinsFor(action).map((t) => [t.name, t] as const))("%s", async (_name, twin) => {
    const scenario = docs.scenario(action);
    twin.mutate(scenario, docs);
    const request = await docs.build(scenario);
    const consumedBefore = await tg.ledger.consumedCount();
    const auditBefore = await tg.auditCount();

    const decision = await tg.decide(request.bytes);

    if (twin.expected.verdict === "ALLOW") {
      const permit = expectAllowShape(decision.bytes, request.requestId);
      await expectPermitFor(permit, keys, {
        requestId: request.requestId,
        action,
        grantIds: request.grantIds,
        issuedAt: BASE_NOW,
        packetId: String(scenario.packet.payload["packet_id"]),
      });
      for (const nonce of request.nonces) expect(await tg.ledger.isConsumed(nonce)).toBe(true);
      return;
    }
    const { verdict, reasons, wellFormed } = twin.expected;
    const requestId = wellFormed ? request.requestId : undefined;
    expectRefusal(decision.bytes, keys, verdict, reasons, requestId);
    // G8: a refusal changes nothing but the audit log, which grows by exactly its entry.
    expect(await tg.ledger.consumedCount()).toBe(consumedBefore);
    for (const nonce of request.nonces) expect(await tg.ledger.isConsumed(nonce)).toBe(false);
    expect(await tg.auditCount()).toBe(auditBefore + 1);
    const [entry] = await tg.ledger.auditEntries(1);
    expect(entry).toMatchObject({
      requestId: requestId ?? null,
      verdict,
      reasons: [...reasons],
      permitId: null,
    });
  });
});

describe("twins stay one change away", () => {
  it("a twin's grants are fresh: ids and nonces never repeat across scenarios", () => {
    const seen = new Set<string>();
    for (const action of ACTIONS) {
      for (const g of docs.scenario(action).grants) {
        for (const value of [g.payload["grant_id"], g.payload["nonce"]]) {
          expect(seen.has(String(value))).toBe(false);
          seen.add(String(value));
        }
      }
    }
    expect(freshNonce()).not.toBe(freshNonce());
    expect(uniqueId("x")).not.toBe(uniqueId("x"));
  });
});
