import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family as c02 } from "../../../probes/c02-lane-control.js";
import { family as p08 } from "../../../probes/p08-rollback-escape.js";
import { canariesFromJwks } from "../../../src/fuzz/canary/index.js";
import { runFuzz } from "../../../src/fuzz/engine/engine.js";
import { deriveKeyringUnderTest } from "../../../src/fuzz/keyring/under-test.js";
import { ORACLES } from "../../../src/fuzz/oracles/index.js";
import { openReferenceTarget } from "../../../src/fuzz/targets/index.js";
import type { ProbeFamily } from "../../../src/fuzz/types.js";
import { fixedClock } from "../../../src/kernel/clock.js";
import { adminQuery, hasRealServer, REAL_SERVER_URL } from "../../support/real-postgres.js";

const NOW = 1_781_265_600;
let workDir: string;
// Other test files make and drop clones on the same server at the same time: only the names
// carrying this run's tag are this run's.
const TAG = `t${randomBytes(4).toString("hex")}`;

async function leftovers(): Promise<number> {
  const dbs = await adminQuery(
    `SELECT count(*)::int AS n FROM pg_database d LEFT JOIN pg_roles r ON r.oid = d.datdba
      WHERE d.datname LIKE 'fc\\_clone\\_${TAG}%' OR d.datname LIKE 'fc\\_production\\_${TAG}%'
         OR r.rolname LIKE 'fc\\_lane\\_${TAG}%'`,
  );
  const roles = await adminQuery(
    `SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'fc\\_lane\\_${TAG}%'`,
  );
  const count = (rows: unknown[]): number => Number((rows[0] as { n?: unknown } | undefined)?.n);
  return count(dbs.rows) + count(roles.rows);
}

describe.skipIf(!hasRealServer())("the reference lane's clone on a real server", () => {
  let before = 0;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "fc-server-clone-"));
    before = await leftovers();
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it("clean rehearsals pass and escapes are refused there, with the sentinel watched, and nothing is left behind", async () => {
    const kut = await deriveKeyringUnderTest("server-clone");
    let sentinelSeen = false;
    const report = await runFuzz({
      families: [c02, { ...(p08 as ProbeFamily), minRuns: 20 }],
      openTarget: async (k, now) => {
        const target = await openReferenceTarget({
          keyringSources: k.sources,
          clock: fixedClock(now),
          workDir,
          testMode: true,
          gateKid: k.kids.gate,
          rehearsalKid: k.kids.rehearsal,
          server: REAL_SERVER_URL ?? "",
          serverNameTag: TAG,
        });
        const state = target.state?.bind(target);
        return {
          ...target,
          ...(state === undefined
            ? {}
            : {
                state: async (op) => {
                  const snapshot = await state(op);
                  if (snapshot.sentinelDigest !== undefined) sentinelSeen = true;
                  return snapshot;
                },
              }),
        };
      },
      oracles: ORACLES,
      canariesOf: (k) => canariesFromJwks(k.jwkSets),
      seed: 8,
      budgetMs: 120_000,
      concurrency: 1,
      familyConcurrency: 1,
      timeoutMs: 30_000,
      signal: new AbortController().signal,
      reporters: [],
      now: NOW,
      keyringUnderTest: () => Promise.resolve(kut),
    });
    expect(report.families.map((f) => [f.family, f.status.kind])).toEqual([
      ["C02", "closed"],
      ["P08", "closed"],
    ]);
    expect(sentinelSeen).toBe(true);
    expect(await leftovers()).toBe(before);
    // A fuzz run on a real server beside other test files: minutes on a loaded 2-core machine.
  }, 300_000);
});
