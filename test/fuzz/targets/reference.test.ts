/**
 * The reference lane in process (T1): a real gate and a real rehearsal lane on a seeded PGlite
 * clone, each with its own share of a generated keyring, with the side channels and state the
 * oracles need.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Operation, Target } from "../../../src/fuzz/types.js";
import type { Docs } from "../../support/gate-fixtures.js";
import { openFixtureReference, type FixtureReference } from "./fixture-reference.js";
import { bodyJson, responded, utf8 } from "./outcomes.js";

const LIMIT_MS = 30_000;

let fixture: FixtureReference | undefined;
let target: Target;
let docs: Docs;

beforeAll(async () => {
  fixture = await openFixtureReference("failclosed-reference-");
  ({ target, docs } = fixture);
});

afterAll(async () => {
  await fixture?.close();
});

function state(operation: Operation = "rehearse"): ReturnType<NonNullable<Target["state"]>> {
  if (target.state === undefined) throw new Error("the reference target reports its state");
  return target.state(operation);
}

function rehearsal(migration: string, rehearsalId: string): Uint8Array {
  const request = {
    kind: "rehearsal-request",
    v: 1,
    rehearsal_id: rehearsalId,
    packet_id: "PKT-2030-0001",
    mode: "transactional",
    migration,
    artifact_sha256: createHash("sha256").update(migration, "utf8").digest("hex"),
  };
  return utf8(JSON.stringify(request));
}

describe("the reference target", () => {
  it("serves both operations under its name", () => {
    expect(target.name).toBe("reference");
    expect(target.operations).toEqual(["decide", "rehearse"]);
  });

  it("answers HOLD to a correctly sealed request whose packet selects HOLD_PRODUCTION (G1)", async () => {
    const built = await docs.build(docs.holdScenario("REAL_RUN"));
    const outcome = responded(await target.fire("decide", built.bytes, LIMIT_MS));
    expect(outcome.status).toBeUndefined();
    expect(outcome.headers).toEqual({});
    expect(bodyJson(outcome)).toEqual({
      kind: "verdict",
      v: 1,
      verdict: "HOLD",
      reasons: ["hold_default"],
      request_id: built.requestId,
    });
    // The refusal's audit row is this probe's database side channel; the gate writes no files.
    expect(outcome.channels.rows).toHaveLength(1);
    expect(JSON.parse(outcome.channels.rows[0] ?? "")).toMatchObject({
      verdict: "HOLD",
      requestId: built.requestId,
      reasons: ["hold_default"],
    });
    expect(outcome.channels.files.size).toBe(0);
    expect(outcome.channels.stdout + outcome.channels.stderr).toBe("");
  });

  it("answers DENY malformed_input to bytes that are not a document", async () => {
    const outcome = responded(await target.fire("decide", utf8('{"kind":'), LIMIT_MS));
    expect(bodyJson(outcome)).toEqual({
      kind: "verdict",
      v: 1,
      verdict: "DENY",
      reasons: ["malformed_input"],
    });
    expect(outcome.channels.rows).toHaveLength(1);
  });

  it("allows a fully authorised request, and state() counts the grant it consumed (G5)", async () => {
    const before = await state("decide");
    const clone = await state("rehearse");
    const built = await docs.authorized("REAL_RUN");
    const allowed = bodyJson(await target.fire("decide", built.bytes, LIMIT_MS));
    expect(allowed).toMatchObject({ verdict: "ALLOW", request_id: built.requestId });
    expect(typeof allowed["permit"]).toBe("string");
    const after = await state("decide");
    expect(after.consumedNonces).toBe((before.consumedNonces ?? Number.NaN) + 1);
    // The gate does not touch the clone.
    expect((await state("rehearse")).cloneDigest).toBe(clone.cloneDigest);

    // Each operation's snapshot reads only what that operation can change: the ledger around a
    // gate probe, the clone around a rehearsal (the lane holds no handle on the ledger).
    expect(await state("decide")).toEqual({
      consumedNonces: after.consumedNonces,
      generation: after.generation,
    });
    expect(Object.keys(await state("rehearse")).sort()).toEqual(["cloneDigest", "generation"]);
    expect(target.stateByOperation).toBe(true);

    const replay = bodyJson(await target.fire("decide", built.bytes, LIMIT_MS));
    expect(replay).toMatchObject({ verdict: "DENY", reasons: ["replayed"] });
    expect((await state("decide")).consumedNonces).toBe(after.consumedNonces);
  });

  it("passes a clean rehearsal that changes the seeded state, with its evidence files in channels.files", async () => {
    const before = await state();
    expect(before.cloneDigest).toMatch(/^[0-9a-f]{64}$/);
    const migration =
      "UPDATE public.accounts SET label = 'changed' WHERE id = 1;\n" +
      "CREATE TABLE public.rehearsed (id bigint PRIMARY KEY, label text NOT NULL);\n";
    const outcome = responded(await target.fire("rehearse", rehearsal(migration, "reh-clean-1"), LIMIT_MS));
    const result = bodyJson(outcome);
    expect(result).toMatchObject({
      kind: "rehearsal-result",
      verdict: "PASS",
      reasons: [],
      rehearsal_id: "reh-clean-1",
    });
    expect(result["after_rollback"]).toBe(result["before"]);
    expect(result["after_apply"]).not.toBe(result["before"]);
    // The lane's own digest of the clone is the one its rehearsal starts from.
    expect(result["before"]).toBe(before.cloneDigest);

    const files = [...outcome.channels.files.keys()];
    const names = files.map((path) => path.split("/").slice(-2).join("/")).sort();
    expect(names.filter((n) => !n.endsWith(".evidence.jws")).map((n) => n.replace(/^[^/]*\//, ""))).toEqual([
      "after_apply.json",
      "after_rollback.json",
      "before.json",
      "migration.sql",
      "result.json",
    ]);
    const sealPath = files.find((path) => path.endsWith(".evidence.jws"));
    expect(sealPath).toBeDefined();
    expect(Buffer.from(outcome.channels.files.get(sealPath ?? "") ?? []).toString("utf8")).toBe(
      `${String(result["evidence"])}\n`,
    );
    const migrationPath = files.find((path) => path.endsWith("/migration.sql")) ?? "";
    expect(Buffer.from(outcome.channels.files.get(migrationPath) ?? []).toString("utf8")).toBe(migration);
    expect(outcome.channels.rows).toEqual([]);

    // F3's view: the rehearsal left the clone as it found it.
    expect((await state()).cloneDigest).toBe(before.cloneDigest);
  });

  it("reports only the files of the probe that wrote them", async () => {
    const first = responded(
      await target.fire("rehearse", rehearsal("CREATE TABLE public.t1 (id int);\n", "reh-a"), LIMIT_MS),
    );
    const second = responded(
      await target.fire("rehearse", rehearsal("CREATE TABLE public.t2 (id int);\n", "reh-b"), LIMIT_MS),
    );
    const third = responded(await target.fire("decide", utf8("{}"), LIMIT_MS));
    const dirsOf = (paths: Iterable<string>): string[] => [
      ...new Set([...paths].map((p) => p.split("/").at(-3) ?? "")),
    ];
    expect([...first.channels.files.keys()].every((p) => p.includes("/reh-a-"))).toBe(true);
    expect([...second.channels.files.keys()].every((p) => p.includes("/reh-b-"))).toBe(true);
    expect(dirsOf(first.channels.files.keys())).not.toEqual(dirsOf(second.channels.files.keys()));
    expect(third.channels.files.size).toBe(0);
  });

  it("refuses a rehearsal that would escape the rollback, leaving evidence but no change", async () => {
    const before = await state();
    const outcome = responded(await target.fire("rehearse", rehearsal("COMMIT;\n", "reh-escape"), LIMIT_MS));
    expect(bodyJson(outcome)).toMatchObject({ verdict: "REFUSED", reasons: ["refused_by_classifier"] });
    expect(outcome.channels.files.size).toBeGreaterThan(0);
    expect(await state()).toEqual(before);
  });

  it("restarts into a fresh generation: same clone digest, a fresh in-memory ledger", async () => {
    const before = { ...(await state("decide")), ...(await state("rehearse")) };
    expect(before.consumedNonces).toBeGreaterThan(0);
    await target.restart();
    const after = { ...(await state("decide")), ...(await state("rehearse")) };
    expect(after.cloneDigest).toBe(before.cloneDigest);
    expect(after.generation).toBeGreaterThan(before.generation ?? Number.POSITIVE_INFINITY);
    // Documented: the ledger lives in memory, so a restart forgets consumed nonces.
    expect(after.consumedNonces).toBe(0);
    const built = await docs.build(docs.holdScenario("DRYRUN"));
    expect(bodyJson(await target.fire("decide", built.bytes, LIMIT_MS))).toMatchObject({ verdict: "HOLD" });
  });
});
