/**
 * A gate that refuses without end until it is killed (issue #17, group commit of refusals): run
 * with tsx as `audit-crash-child.ts pglite DATA_DIR` or `audit-crash-child.ts postgres URL`, it
 * keeps 32 decisions in flight, half HOLDs and half forged packets (DENY at the seal), each with
 * its own request_id, and writes `VERDICT REQUEST_ID` on stdout the moment each is answered. The
 * parent SIGKILLs it mid-stream; every request_id it printed must then have its audit row.
 */
import { randomBytes } from "node:crypto";
import { writeSync } from "node:fs";
import { fixedClock } from "../../../src/kernel/clock.js";
import { formatTimestamp } from "../../../src/lane/codec/formats.js";
import type { DecisionPacket } from "../../../src/lane/codec/documents.js";
import { openDatabase, type DatabaseLocation } from "../../../src/lane/db/open.js";
import { createGate } from "../../../src/lane/gate/gate.js";
import { openLedger } from "../../../src/lane/gate/ledger/ledger.js";
import { combinedPrivateSet, generateKeyring } from "../../../src/lane/seal/keygen.js";
import { loadKeyringFromSources, requireSigner } from "../../../src/lane/seal/keyring.js";
import { sealDocument } from "../../../src/lane/seal/sign.js";

// Not gate-fixtures.js: it imports vitest, which refuses to load outside a test run.
const NOW = 1_900_000_000;
const IN_FLIGHT = 32;

const [engine, where] = process.argv.slice(2);
if ((engine !== "pglite" && engine !== "postgres") || where === undefined) {
  process.stderr.write("usage: audit-crash-child.ts pglite DATA_DIR | postgres URL\n");
  process.exit(2);
}
const location: DatabaseLocation = engine === "pglite" ? { engine, dataDir: where } : { engine, url: where };

const generated = combinedPrivateSet(await generateKeyring({ testOnly: true }));
const keyring = await loadKeyringFromSources(
  [{ source: "memory:crash-child", bytes: new Uint8Array(Buffer.from(JSON.stringify(generated))) }],
  { testMode: true },
);
const packet: DecisionPacket = {
  kind: "decision-packet",
  v: 1,
  packet_id: "PKT-CRASH-0001",
  issued_at: formatTimestamp(NOW - 3600),
  expires_at: formatTimestamp(NOW + 86_400),
  default: "HOLD_PRODUCTION",
  selected: "HOLD_PRODUCTION",
  blockers: [],
  evidence: [],
};
const held = await sealDocument(requireSigner(keyring, "owner"), "decision-packet", packet);
const [header = "", payload = ""] = held.split(".");
// The same header and payload under a signature nobody made: DENY at the seal.
const forged = `${header}.${payload}.${randomBytes(64).toString("base64url")}`;

const db = await openDatabase(location);
const gate = createGate({ keyring, ledger: await openLedger(db), clock: fixedClock(NOW), timeoutMs: 60_000 });

let serial = 0;
function request(): Uint8Array {
  serial += 1;
  const requestId = `crash-${process.pid}-${serial}`;
  const body = {
    kind: "action-request",
    v: 1,
    request_id: requestId,
    action: "CUTOVER",
    target: "production",
    packet: serial % 2 === 0 ? held : forged,
    grants: [],
  };
  return new Uint8Array(Buffer.from(JSON.stringify(body), "utf8"));
}

async function lane(): Promise<never> {
  for (;;) {
    const decision = await gate.decide(request());
    // Synchronous, so that a line the parent reads was written after its answer, never before.
    writeSync(1, `${decision.verdict.verdict} ${decision.verdict.request_id ?? "-"}\n`);
  }
}

await Promise.all(Array.from({ length: IN_FLIGHT }, () => lane()));
