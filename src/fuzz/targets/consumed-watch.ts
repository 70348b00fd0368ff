/**
 * The consumed-nonce count F3 compares, for the reference gate's embedded ledger, read from the
 * ledger again only after its table may have changed. Every probe takes a snapshot, and a count
 * query costs PGlite about as much as a fifth of the probe itself; the table changes only when a
 * grant is spent, which an attack must never do.
 *
 * The database itself says when: a statement-level trigger, installed beside the ledger (in its own
 * schema, so the ledger's own objects stay as the lane made them), notifies after every INSERT,
 * UPDATE, DELETE or TRUNCATE on the table, whoever runs it and whether or not it touched a row.
 * PGlite hands the notification over before the statement that committed it returns, so by the
 * time a probe's answer is back, a change it made has marked the count stale. A change rolled back
 * sends nothing and changed nothing. A database that cannot listen (a server) is simply queried
 * every time.
 */
import { LEDGER_SCHEMA } from "../../lane/index.js";
import type { SqlDatabase, Ledger } from "../../lane/index.js";

export interface ConsumedWatch {
  /** The number of consumed nonces now, as the ledger reads it. */
  count(): Promise<number>;
}

const WATCH_SCHEMA = "failclosed_watch";
export const CONSUMED_CHANNEL = "failclosed_consumed_changed";

const INSTALL_SQL = `
CREATE SCHEMA ${WATCH_SCHEMA};
CREATE FUNCTION ${WATCH_SCHEMA}.consumed_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${CONSUMED_CHANNEL}', TG_OP);
  RETURN NULL;
END $$;
CREATE TRIGGER failclosed_watch_consumed
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${LEDGER_SCHEMA}.consumed_nonces
  FOR EACH STATEMENT EXECUTE FUNCTION ${WATCH_SCHEMA}.consumed_changed();`;

export async function watchConsumed(db: SqlDatabase, ledger: Ledger): Promise<ConsumedWatch> {
  if (db.listen === undefined) return { count: () => ledger.consumedCount() };
  // Nothing read yet: the first count is a query.
  let stale = true;
  let last = 0;
  await db.exec(INSTALL_SQL);
  await db.listen(CONSUMED_CHANNEL, () => {
    stale = true;
  });
  /** The count query in flight, which every caller arriving meanwhile waits for. */
  let reading: Promise<number> | undefined;
  return {
    async count() {
      // Snapshots are read side by side (several gate probes in flight): a caller arriving while
      // a query runs must not be handed the count from before the change that made it run.
      for (;;) {
        if (reading !== undefined) {
          await reading.catch(() => undefined);
          continue;
        }
        if (!stale) return last;
        // Cleared before the query: a change committed while it runs marks the count stale again.
        stale = false;
        reading = ledger.consumedCount().then(
          (count) => (last = count),
          (error: unknown) => {
            stale = true;
            throw error;
          },
        );
        try {
          return await reading;
        } finally {
          reading = undefined;
        }
      }
    },
  };
}
