/**
 * The reference lane's clone: made once per target with the operator key (a fresh PGlite
 * directory and an operator-sealed marker, C1), seeded so rehearsal probes have pre-existing
 * state to change (a table with rows, a sequence already advanced), then copied for every
 * generation of the target. Copying keeps the marker, so every generation starts from the same
 * bytes and the same clone digest, and a restart costs a directory copy instead of an initdb.
 */
import { copyDirectory } from "../../kernel/copy-directory.js";
import { openPgliteWorker, createClone } from "../../lane/index.js";
import type { KeyEntry } from "../../lane/index.js";

export const CLONE_NAME = "failclosed-reference";

/** Pre-existing state: a table with rows and a sequence that has been used once. */
export const SEED_SQL = `CREATE SEQUENCE public.ticket_seq START 100;
SELECT pg_catalog.nextval('public.ticket_seq');
CREATE TABLE public.accounts (id bigint PRIMARY KEY, label text NOT NULL);
INSERT INTO public.accounts (id, label) VALUES (1, 'alpha'), (2, 'beta'), (3, 'gamma');
`;

/** Creates the seeded template clone at `dir` (which must not exist). */
export async function createTemplateClone(dir: string, operatorKey: KeyEntry, now: number): Promise<void> {
  await createClone({ engine: "pglite", toDir: dir }, CLONE_NAME, operatorKey, now);
  const db = await openPgliteWorker({ dataDir: dir, statementTimeoutMs: 60_000 });
  try {
    await db.exec(SEED_SQL);
  } finally {
    await db.close();
  }
}

/** A working copy of the template for one generation of the target. */
export async function copyClone(template: string, dir: string): Promise<void> {
  await copyDirectory(template, dir);
}
