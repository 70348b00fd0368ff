/**
 * Attestations checked by a verifier this project did not write (sigstore-js, offline, with the
 * raw Ed25519 public key), through the command line a user runs: a real rehearsal's sealed
 * evidence attested as an in-toto test result, the release gate's decision as a SLSA VSA. A
 * tampered envelope byte fails verification; tampered evidence is never attested.
 */
import { appendFile, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preAuthEncoding } from "../../src/attest/dsse.js";
import { renderReportJson } from "../../src/fuzz/report/index.js";
import {
  CLEAN_MIGRATION,
  OPERATOR_PRIVATE,
  OWNER_PRIVATE,
  PACKET_ID,
  PUBLIC_KEYRING,
  REHEARSAL_PRIVATE,
  pgliteLaneConfig,
  tempRoot,
  rehearseArgs,
} from "../support/lane-fixtures.js";
import { report } from "../fuzz/report/fixtures.js";
import { cli } from "./cli.js";
import { publicJwk, sigstoreVerify } from "./sigstore-verify.js";

const REHEARSAL_KID = "rehearsal-00dec239";
const OWNER_KID = "owner-f1207d80";

interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

let root: Awaited<ReturnType<typeof tempRoot>>;
let seal: string;
let tree: string;

function statementOf(envelope: Envelope): Record<string, unknown> {
  return JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as Record<string, unknown>;
}

/** The envelope with one byte of its payload changed (a flipped bit in the decoded statement). */
function tampered(envelope: Envelope): Envelope {
  const bytes = Buffer.from(envelope.payload, "base64");
  bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 1;
  return { ...envelope, payload: bytes.toString("base64") };
}

beforeAll(async () => {
  root = await tempRoot("fc-eco-attest-");
  const created = await cli(
    [
      "clone",
      "create",
      "--test-mode",
      "--from",
      "empty",
      "--as",
      "clone1",
      "--into",
      root.dir,
      "--keyring",
      OPERATOR_PRIVATE,
    ],
    { cwd: root.dir },
  );
  expect(created.code, created.stderr).toBe(0);
  await writeFile(join(root.dir, "lane.json"), JSON.stringify(pgliteLaneConfig("clone1", "evidence")));
  await writeFile(join(root.dir, "clean.sql"), CLEAN_MIGRATION);
  const rehearsed = await cli(rehearseArgs("lane.json", "clean.sql", "transactional", PACKET_ID), {
    cwd: root.dir,
  });
  expect(rehearsed.code, rehearsed.stderr).toBe(0);
  tree = /evidence tree ([0-9a-f]{64})/.exec(rehearsed.stdout)?.[1] ?? "";
  const name = (await readdir(join(root.dir, "evidence"))).find((file) => file.endsWith(".evidence.jws"));
  seal = join("evidence", name ?? "missing");
}, 120_000);

afterAll(async () => {
  await root?.remove();
});

describe("failclosed attest evidence", () => {
  it("writes an in-toto test result in a DSSE envelope that sigstore-js verifies with the rehearsal key", async () => {
    const out = await cli(
      [
        "attest",
        "evidence",
        seal,
        "--test-mode",
        "--keyring",
        REHEARSAL_PRIVATE,
        "--keyring",
        PUBLIC_KEYRING,
        "--out",
        "evidence.intoto.json",
      ],
      { cwd: root.dir },
    );
    expect(out.code, out.stderr).toBe(0);
    const envelope = JSON.parse(await readFile(join(root.dir, "evidence.intoto.json"), "utf8")) as Envelope;
    expect(envelope.payloadType).toBe("application/vnd.in-toto+json");
    expect(envelope.signatures.map((s) => s.keyid)).toEqual([REHEARSAL_KID]);
    const jwk = await publicJwk(PUBLIC_KEYRING, REHEARSAL_KID);
    expect(() => sigstoreVerify(envelope, REHEARSAL_KID, jwk)).not.toThrow();

    const statement = statementOf(envelope) as {
      _type: string;
      subject: { digest: { gitTree: string } }[];
      predicateType: string;
      predicate: { result: string; configuration: { name: string; digest?: { sha256: string } }[] };
    };
    expect(statement._type).toBe("https://in-toto.io/Statement/v1");
    expect(statement.subject[0]?.digest.gitTree).toBe(tree);
    expect(statement.predicateType).toBe("https://in-toto.io/attestation/test-result/v0.1");
    expect(statement.predicate.result).toBe("PASSED");
    const digests = statement.predicate.configuration.filter((c) => c.name.startsWith("clone-digest:"));
    expect(digests.map((d) => d.name)).toEqual([
      "clone-digest:before",
      "clone-digest:after_apply",
      "clone-digest:after_rollback",
    ]);
    for (const d of digests) expect(d.digest?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a tampered byte in the envelope, or another key, fails the independent verifier", async () => {
    const envelope = JSON.parse(await readFile(join(root.dir, "evidence.intoto.json"), "utf8")) as Envelope;
    const jwk = await publicJwk(PUBLIC_KEYRING, REHEARSAL_KID);
    expect(() => sigstoreVerify(tampered(envelope), REHEARSAL_KID, jwk)).toThrow();
    const sig = Buffer.from(envelope.signatures[0]?.sig ?? "", "base64");
    sig[0] = (sig[0] ?? 0) ^ 1;
    const badSig = { ...envelope, signatures: [{ keyid: REHEARSAL_KID, sig: sig.toString("base64") }] };
    expect(() => sigstoreVerify(badSig, REHEARSAL_KID, jwk)).toThrow();
    const ownerJwk = await publicJwk(PUBLIC_KEYRING, OWNER_KID);
    expect(() => sigstoreVerify(envelope, REHEARSAL_KID, ownerJwk)).toThrow();
  });

  it("our PAE is DSSE's: the spec's own example encoding", () => {
    expect(preAuthEncoding("http://example.com/HelloWorld", Buffer.from("hello world")).toString()).toBe(
      "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
    );
  });

  it("refuses tampered evidence: a changed evidence file is never attested (exit 1, TREE_INVALID)", async () => {
    const dir = seal.slice(0, -".evidence.jws".length);
    await appendFile(join(root.dir, dir, "migration.sql"), "\n");
    const out = await cli(
      [
        "attest",
        "evidence",
        seal,
        "--test-mode",
        "--keyring",
        REHEARSAL_PRIVATE,
        "--keyring",
        PUBLIC_KEYRING,
      ],
      { cwd: root.dir },
    );
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/^failclosed: TREE_INVALID: /);
  });

  it("refuses a key of another role to sign evidence (exit 2, KEY_WRONG_ROLE)", async () => {
    const out = await cli(
      [
        "attest",
        "evidence",
        seal,
        "--test-mode",
        "--keyring",
        OWNER_PRIVATE,
        "--keyring",
        PUBLIC_KEYRING,
        "--kid",
        OWNER_KID,
      ],
      { cwd: root.dir },
    );
    expect(out.code).toBe(2);
  });
});

describe("the command line lists it", () => {
  it("failclosed --help names attest; attest --help and gate --help show the flags", async () => {
    expect((await cli(["--help"])).stdout).toMatch(/^ {2}attest /m);
    expect((await cli(["attest", "--help"])).stdout).toContain("Usage: failclosed attest evidence SEAL");
    const gate = (await cli(["gate", "--help"])).stdout;
    for (const flag of ["--sarif FILE", "--baseline FILE", "--attest FILE"]) expect(gate).toContain(flag);
  });
});

describe("failclosed gate --attest", () => {
  it("writes the decision as a SLSA VSA naming every report and the pass rate, verified by sigstore-js", async () => {
    await mkdir(join(root.dir, "reports", "a"), { recursive: true });
    await mkdir(join(root.dir, "reports", "b"), { recursive: true });
    const a = report({ runId: "20251124T031500Z-aaaaaa", seed: 1, shard: { index: 1, total: 2 } });
    const b = report({ runId: "20251124T031500Z-bbbbbb", seed: 1, shard: { index: 2, total: 2 } });
    await writeFile(join(root.dir, "reports", "a", "report.json"), renderReportJson(a));
    await writeFile(join(root.dir, "reports", "b", "report.json"), renderReportJson(b));
    const gate = await cli(
      [
        "gate",
        "reports/a",
        "reports/b",
        "--attest",
        "release.intoto.json",
        "--test-mode",
        "--keyring",
        OWNER_PRIVATE,
        "--kid",
        OWNER_KID,
      ],
      { cwd: root.dir },
    );
    expect(gate.code, gate.stdout + gate.stderr).toBe(0);
    const envelope = JSON.parse(await readFile(join(root.dir, "release.intoto.json"), "utf8")) as Envelope;
    const jwk = await publicJwk(PUBLIC_KEYRING, OWNER_KID);
    expect(() => sigstoreVerify(envelope, OWNER_KID, jwk)).not.toThrow();
    expect(() => sigstoreVerify(tampered(envelope), OWNER_KID, jwk)).toThrow();
    const statement = statementOf(envelope) as {
      subject: { name: string; digest: { sha256: string } }[];
      predicateType: string;
      predicate: { verificationResult: string; verifiedLevels: string[]; inputAttestations: unknown[] };
    };
    expect(statement.predicateType).toBe("https://slsa.dev/verification_summary/v1");
    expect(statement.subject.map((s) => s.name)).toEqual(["reports/a/report.json", "reports/b/report.json"]);
    expect(statement.predicate.inputAttestations).toEqual(statement.subject);
    expect(statement.predicate.verificationResult).toBe("PASSED");
    expect(statement.predicate.verifiedLevels).toEqual(["FAILCLOSED_PASS_RATE_10_OF_10"]);
  });

  it("--attest without a key is a usage error before anything is judged", async () => {
    const gate = await cli(["gate", "reports/a", "--attest", "x.json"], { cwd: root.dir });
    expect(gate.code).toBe(2);
    expect(gate.stderr).toMatch(/^failclosed: USAGE: --attest needs --keyring and --kid/);
  });
});
