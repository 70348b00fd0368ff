/**
 * A gate killed while it group-commits refusals loses no audit entry it answered (issue #17; G8):
 * audit-crash-child.ts keeps 32 refusals in flight and prints each answer; the test SIGKILLs it
 * mid-stream, opens its ledger again, and finds exactly one audit row, with the verdict answered,
 * for every request_id the child printed. On PGlite file storage and on a real server (which
 * skips, saying why, without FAILCLOSED_TEST_DATABASE_URL).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { openDatabase, type DatabaseLocation } from "../../../src/lane/db/open.js";
import { REPO_ROOT } from "../../support/lane-fixtures.js";
import {
  REAL_SERVER_SKIP_REASON,
  createScratchDatabase,
  hasRealServer,
} from "../../support/real-postgres.js";

const CHILD = join(REPO_ROOT, "test", "lane", "gate", "audit-crash-child.ts");
/** Answers to read before the kill: several group commits' worth, with more in flight. */
const KILL_AFTER = 300;

interface Crash {
  readonly signal: string | number | null;
  /** request_id to the verdict the child answered, for every line it printed. */
  readonly answered: ReadonlyMap<string, string>;
}

/** Runs the child until it has printed KILL_AFTER answers, then SIGKILLs it at once. */
function crashDuringRefusals(engine: "pglite" | "postgres", where: string): Promise<Crash> {
  return new Promise((resolve, reject) => {
    // Node itself runs the child (tsx as a loader), so the signal ends the very process that decides.
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, engine, where], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const answered = new Map<string, string>();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const [verdict = "", requestId = ""] = line.split(" ");
      answered.set(requestId, verdict);
      if (answered.size === KILL_AFTER) child.kill("SIGKILL");
    });
    child.on("error", reject);
    // 'close', not 'exit': every line the child wrote before it died has been read by then.
    child.on("close", (code, signal) => {
      if (signal !== "SIGKILL") process.stderr.write(stderr);
      resolve({ signal: signal ?? code, answered });
    });
  });
}

async function auditRows(location: DatabaseLocation, ids: readonly string[]): Promise<Map<string, string[]>> {
  const db = await openDatabase(location);
  try {
    const { rows } = await db.query(
      `SELECT request_id, verdict FROM failclosed_gate.audit_log
        WHERE request_id = ANY(string_to_array($1, ' ')) ORDER BY id`,
      [ids.join(" ")],
    );
    const found = new Map<string, string[]>();
    for (const row of rows) {
      const id = String(row["request_id"]);
      found.set(id, [...(found.get(id) ?? []), String(row["verdict"])]);
    }
    return found;
  } finally {
    await db.close();
  }
}

function expectEveryAnswerAudited(crash: Crash, rows: ReadonlyMap<string, readonly string[]>): void {
  expect(crash.signal).toBe("SIGKILL");
  expect(crash.answered.size).toBeGreaterThanOrEqual(KILL_AFTER);
  const missing = [...crash.answered].filter(([id, verdict]) => rows.get(id)?.join() !== verdict);
  expect(missing, "answered request_ids without exactly their one audit row").toStrictEqual([]);
  // The child answered both kinds it sends: HOLDs and DENYs at the seal.
  expect(new Set(crash.answered.values())).toStrictEqual(new Set(["HOLD", "DENY"]));
}

describe("a gate SIGKILLed amid group-committed refusals", () => {
  it("on PGlite file storage: every answered refusal has its audit row after the crash", async () => {
    const dir = await mkdtemp(join(tmpdir(), "failclosed-audit-crash-"));
    try {
      const dataDir = join(dir, "ledger");
      const crash = await crashDuringRefusals("pglite", dataDir);
      // Reopening takes over the dead child's lock and runs PostgreSQL's crash recovery.
      const rows = await auditRows({ engine: "pglite", dataDir }, [...crash.answered.keys()]);
      expectEveryAnswerAudited(crash, rows);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it.skipIf(!hasRealServer())(
    `on a real PostgreSQL server: every answered refusal has its audit row after the crash${hasRealServer() ? "" : ` (skipped: ${REAL_SERVER_SKIP_REASON})`}`,
    async () => {
      const scratch = await createScratchDatabase("fc_audit_crash");
      try {
        const crash = await crashDuringRefusals("postgres", scratch.url);
        const rows = await auditRows({ engine: "postgres", url: scratch.url }, [...crash.answered.keys()]);
        expectEveryAnswerAudited(crash, rows);
      } finally {
        await scratch.drop();
      }
    },
    180_000,
  );
});
