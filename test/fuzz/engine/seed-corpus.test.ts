/**
 * The seed corpus (corpora/<family>/seeds/): every seed is checked by the codec when loaded and a
 * bad one stops the load with its path and a stable code, never skipped; the digest names exactly
 * the seeds' bytes.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSeedCorpus, seedsDir } from "../../../src/fuzz/engine/seed-corpus.js";
import { encodeDocument, type DecisionPacket } from "../../../src/lane/codec/index.js";
import { FailclosedError } from "../../../src/kernel/errors.js";

const PACKET: DecisionPacket = {
  kind: "decision-packet",
  v: 1,
  packet_id: "SEED-TEST-1",
  issued_at: "2026-01-01T00:00:00Z",
  expires_at: "2026-01-08T00:00:00Z",
  default: "HOLD_PRODUCTION",
  selected: "HOLD_PRODUCTION",
  blockers: [{ id: "B-1", status: "OPEN", actors: ["owner"], gate: "a gate" }],
  evidence: [],
};

const b64 = (value: string | Uint8Array): string => Buffer.from(value).toString("base64url");
/** A compact JWS with this header; the signature is a placeholder (seeds are never verified). */
const jwsOf = (header: object, payload: Uint8Array): string =>
  `${b64(JSON.stringify(header))}.${b64(payload)}.${b64("not-a-signature")}`;
const HEADER = { alg: "EdDSA", kid: "owner-test", typ: "decision-packet+jws" };

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "fc-seeds-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function seed(family: string, name: string, content: string | Uint8Array): Promise<string> {
  await mkdir(seedsDir(family, root), { recursive: true });
  const path = join(seedsDir(family, root), name);
  await writeFile(path, content);
  return path;
}

async function refusal(): Promise<FailclosedError> {
  const error: unknown = await loadSeedCorpus(root).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof FailclosedError))
    throw new Error(`expected a FailclosedError, got ${String(error)}`);
  return error;
}

describe("the shipped corpus", () => {
  it("loads, with seeds for P01, P02, P05 and P06 and a stable digest", async () => {
    const first = await loadSeedCorpus();
    const again = await loadSeedCorpus();
    expect(new Set(first.packets.map((p) => p.family))).toEqual(new Set(["P01", "P02", "P05", "P06"]));
    expect(first.packets.some((p) => p.packet.packet_id === "FIX7-P0-2026-06-12")).toBe(true);
    expect(first.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(again.digest).toBe(first.digest);
  });
});

describe("loading seeds", () => {
  it("reads .json and .jws packets alike, ignores dot files, and keeps families apart", async () => {
    await seed("P05", "plain.packet.json", JSON.stringify(PACKET));
    await seed("P06", "sealed.packet.jws", `${jwsOf(HEADER, encodeDocument("decision-packet", PACKET))}\n`);
    await seed("P06", ".gitkeep", "");
    const corpus = await loadSeedCorpus(root);
    expect(corpus.packets.map((p) => [p.family, p.name, p.packet.packet_id])).toEqual([
      ["P05", "plain.packet.json", "SEED-TEST-1"],
      ["P06", "sealed.packet.jws", "SEED-TEST-1"],
    ]);
  });

  it("gives a missing corpus git's empty tree id, and no seeds", async () => {
    const corpus = await loadSeedCorpus(join(root, "absent"));
    expect(corpus).toEqual({
      digest: "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
      packets: [],
    });
  });

  it("changes its digest when one byte of one seed changes", async () => {
    const path = await seed("P05", "a.packet.json", JSON.stringify(PACKET));
    const before = (await loadSeedCorpus(root)).digest;
    await writeFile(path, JSON.stringify({ ...PACKET, packet_id: "SEED-TEST-2" }));
    expect((await loadSeedCorpus(root)).digest).not.toBe(before);
  });
});

describe("a bad seed stops the load with its path and a stable code", () => {
  const cases: ReadonlyArray<readonly [string, string, string | Uint8Array, RegExp]> = [
    [
      "a duplicate member (R3)",
      "dup.packet.json",
      `{"kind":"decision-packet",${JSON.stringify(PACKET).slice(1)}`,
      /duplicate_member/,
    ],
    [
      "a document of another kind",
      "grant.packet.json",
      JSON.stringify({ ...PACKET, kind: "grant" }),
      /not a valid decision packet/,
    ],
    [
      "an unknown member (R7)",
      "extra.packet.json",
      JSON.stringify({ ...PACKET, extra: 1 }),
      /unknown_member/,
    ],
    [
      "a window the semantics refuse (R9)",
      "window.packet.json",
      JSON.stringify({ ...PACKET, expires_at: PACKET.issued_at }),
      /not a valid decision packet/,
    ],
    [
      "a JWS of another type",
      "grant.packet.jws",
      jwsOf({ ...HEADER, typ: "grant+jws" }, encodeDocument("decision-packet", PACKET)),
      /grant\+jws/,
    ],
    [
      "a JWS without its signature part",
      "two.packet.jws",
      `${b64(JSON.stringify(HEADER))}.${b64(encodeDocument("decision-packet", PACKET))}`,
      /compact JWS/,
    ],
    [
      "a JWS with padded base64",
      "pad.packet.jws",
      `${b64(JSON.stringify(HEADER))}==.${b64(encodeDocument("decision-packet", PACKET))}.${b64("x")}`,
      /compact JWS/,
    ],
    [
      "a JWS with two trailing newlines",
      "nl.packet.jws",
      `${jwsOf(HEADER, encodeDocument("decision-packet", PACKET))}\n\n`,
      /compact JWS/,
    ],
    ["a file that is neither .json nor .jws", "packet.txt", JSON.stringify(PACKET), /\.json or \.jws/],
    [
      "a packet too large to seal into a request (R4)",
      "huge.packet.json",
      JSON.stringify({
        ...PACKET,
        blockers: Array.from({ length: 8 }, (_, i) => ({
          id: `B-${i}`,
          status: "OPEN",
          actors: ["owner"],
          gate: "g".repeat(400),
        })),
      }),
      /too large to seal/,
    ],
  ];

  it.each(cases)("%s", async (_what, name, content, why) => {
    const path = await seed("P01", name, content);
    const error = await refusal();
    expect(error.code).toBe("DOCUMENT_INVALID");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(why);
  });

  it("a name git cannot record (the digest is a tree id)", async () => {
    await seed("P01", "with space.json", JSON.stringify(PACKET));
    const error = await refusal();
    expect(error.code).toBe("DOCUMENT_INVALID");
    expect(error.message).toMatch(/with/);
  });

  it("a seeds path that is a file, not a directory", async () => {
    await mkdir(join(root, "P01"), { recursive: true });
    await writeFile(join(root, "P01", "seeds"), "not a directory");
    const error = await refusal();
    expect(error.code).toBe("FILE_UNREADABLE");
    expect(error.message).toContain(join(root, "P01", "seeds"));
  });
});
