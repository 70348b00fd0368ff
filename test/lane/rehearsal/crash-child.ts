/**
 * A rehearsal process that dies at a chosen point (crash-safe rehearsal, issue #13): run with tsx
 * as `crash-child.ts CONFIG MODE MIGRATION_FILE`, it rehearses the migration and SIGKILLs itself
 * when the lane takes its second digest, after_apply: in snapshot_restore mode that is after
 * COMMIT and before the restore, in transactional mode inside the open transaction, after the
 * migration ran. No clean-up of any kind runs.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fixedClock } from "../../../src/kernel/clock.js";
import type { Mode } from "../../../src/lane/codec/documents.js";
import type { SqlSession } from "../../../src/lane/db/session.js";
import { loadLaneConfig } from "../../../src/lane/rehearsal/config.js";
import { digestDatabase } from "../../../src/lane/rehearsal/digest/digest.js";
import { openLane } from "../../../src/lane/rehearsal/lane.js";
import { timestampSeconds } from "../../../src/lane/codec/formats.js";

// Not lane-fixtures.js: it imports vitest, which refuses to load outside a test run.
const LANE_SECONDS = timestampSeconds("2026-06-12T09:30:00Z");

// A fourth argument "external": the parent kills this process (mid-restore, say); no self-kill.
const [configPath, mode, migrationFile, killer] = process.argv.slice(2);
if (configPath === undefined || mode === undefined || migrationFile === undefined) {
  process.stderr.write("usage: crash-child.ts CONFIG MODE MIGRATION_FILE [external]\n");
  process.exit(2);
}
let digests = 0;
const lane = await openLane(loadLaneConfig(configPath), {
  testMode: true,
  clock: fixedClock(LANE_SECONDS),
  components: {
    digest: (session: SqlSession) => {
      digests += 1;
      if (digests === 2 && killer !== "external") process.kill(process.pid, "SIGKILL");
      return digestDatabase(session);
    },
  },
});
const migration = readFileSync(migrationFile, "utf8");
const request = {
  kind: "rehearsal-request",
  v: 1,
  rehearsal_id: `crash-${process.pid}`,
  packet_id: "FIX7-P0-2026-06-12",
  mode: mode as Mode,
  migration,
  artifact_sha256: createHash("sha256").update(migration, "utf8").digest("hex"),
};
const answer = await lane.rehearse(new Uint8Array(Buffer.from(JSON.stringify(request), "utf8")));
// Reaching this line means the kill point was never reached: the parent sees exit code 3.
process.stdout.write(`${JSON.stringify(answer.result)}\n`);
process.exit(3);
