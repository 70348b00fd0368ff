/**
 * What the reference lane prints is a side channel of the probe that made it print (issue #15,
 * SPEC F2 and F4): its notices arrive in that rehearsal's `stderr`, once, and never on the
 * fuzzer's own stderr, where no oracle would read them. The lane's one notice (a snapshot copy it
 * could not remove) is provoked by a clone backend whose clean-up keeps a planted name.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as backendModule from "../../../src/lane/rehearsal/clone/backend.js";
import { CLEAN_MIGRATION } from "../../support/lane-fixtures.js";
import { openFixtureReference, type FixtureReference } from "./fixture-reference.js";
import { responded, utf8 } from "./outcomes.js";

const PLANTED = "planted.snapshot-fc-notice-7f3a";

vi.mock("../../../src/lane/rehearsal/clone/backend.js", async (importOriginal) => {
  const original = await importOriginal<typeof backendModule>();
  return {
    ...original,
    cloneBackend: (...args: Parameters<typeof original.cloneBackend>) => {
      const backend = original.cloneBackend(...args);
      return {
        ...backend,
        cleanLeftovers: async (keep?: readonly string[]) => {
          const outcome = await backend.cleanLeftovers(keep);
          return { ...outcome, kept: [...outcome.kept, PLANTED] };
        },
      };
    },
  };
});

const LIMIT_MS = 30_000;

function rehearsal(rehearsalId: string): Uint8Array {
  return utf8(
    JSON.stringify({
      kind: "rehearsal-request",
      v: 1,
      rehearsal_id: rehearsalId,
      packet_id: "PKT-2030-0001",
      mode: "transactional",
      migration: CLEAN_MIGRATION,
      artifact_sha256: createHash("sha256").update(CLEAN_MIGRATION, "utf8").digest("hex"),
    }),
  );
}

let fixture: FixtureReference | undefined;

beforeAll(async () => {
  fixture = await openFixtureReference("failclosed-reference-notices-");
}, 120_000);

afterAll(async () => {
  await fixture?.close();
});

describe("the reference lane's notices are the rehearsal's stderr channel (#15)", () => {
  it("must fire: a notice arrives in the stderr of the rehearsal that printed it, and not on the fuzzer's own", async () => {
    if (fixture === undefined) throw new Error("no reference target");
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let first;
    try {
      first = responded(await fixture.target.fire("rehearse", rehearsal("RH-NOTICE-1"), LIMIT_MS));
    } finally {
      spy.mockRestore();
    }
    expect(first.channels.stderr).toContain(`failclosed: NOTICE: could not remove 1 snapshot copy`);
    expect(first.channels.stderr).toContain(PLANTED);
    expect(written.join("")).not.toContain(PLANTED);
  });

  it("must stay quiet: a rehearsal that prints nothing carries no earlier notice", async () => {
    if (fixture === undefined) throw new Error("no reference target");
    // Leftovers are cleaned at the lane's start and after snapshot-mode runs: a transactional
    // rehearsal now prints nothing.
    const second = responded(await fixture.target.fire("rehearse", rehearsal("RH-NOTICE-2"), LIMIT_MS));
    expect(second.channels.stderr).toBe("");
  });
});
