/** Transaction control (C2): ends, splits or restarts the rehearsal's transaction. */
import fc from "fast-check";
import { lit, stmt, esc, spoken, pick, opt, type Escape, type Word } from "../words.js";

export const savepointName = pick("sp", "s1", "escape_point", "fc_sp");
export const gid = pick("'fc-escape'", "'x'", "'gid-1'", "'FC_PREPARED'");

export const transactionControl: fc.Arbitrary<Escape> = fc.oneof(
  fc
    .tuple(
      pick("COMMIT", "END"),
      opt("WORK"),
      opt("TRANSACTION"),
      pick<readonly Word[]>([], ["AND", "CHAIN"], ["AND", "NO", "CHAIN"]),
    )
    .map(([verb, work, transaction, chain]) => {
      // WORK and TRANSACTION are alternatives: keep one so the statement still parses.
      const noise = work.length > 0 ? work : transaction;
      return esc("transaction_control", spoken([verb, ...noise, ...chain]), stmt(verb, ...noise, ...chain));
    }),
  fc
    .tuple(pick("ROLLBACK", "ABORT"), opt("WORK"), pick<readonly Word[]>([], ["AND", "CHAIN"]))
    .map(([verb, work, chain]) =>
      esc("transaction_control", spoken([verb, ...work, ...chain]), stmt(verb, ...work, ...chain)),
    ),
  fc
    .tuple(savepointName, pick("release", "rollback-to", "alone"), opt("SAVEPOINT"))
    .map(([name, then, keyword]) => {
      const save = stmt("SAVEPOINT", name);
      switch (then) {
        case "alone":
          return esc("transaction_control", `SAVEPOINT ${name}`, save);
        case "release":
          return esc(
            "transaction_control",
            `SAVEPOINT then RELEASE`,
            save,
            stmt("RELEASE", ...keyword, name),
          );
        case "rollback-to":
          return esc(
            "transaction_control",
            `SAVEPOINT then ROLLBACK TO`,
            save,
            stmt("ROLLBACK", "TO", ...keyword, name),
          );
      }
    }),
  fc.tuple(gid, pick("prepare", "commit-prepared", "rollback-prepared", "both")).map(([id, form]) => {
    const prepare = stmt("PREPARE", "TRANSACTION", lit(id));
    const commit = stmt("COMMIT", "PREPARED", lit(id));
    switch (form) {
      case "prepare":
        return esc("transaction_control", "PREPARE TRANSACTION", prepare);
      case "commit-prepared":
        return esc("transaction_control", "COMMIT PREPARED", commit);
      case "rollback-prepared":
        return esc("transaction_control", "ROLLBACK PREPARED", stmt("ROLLBACK", "PREPARED", lit(id)));
      case "both":
        return esc("transaction_control", "PREPARE TRANSACTION then COMMIT PREPARED", prepare, commit);
    }
  }),
  fc
    .tuple(
      pick<readonly Word[]>(["START", "TRANSACTION"], ["BEGIN"], ["BEGIN", "WORK"], ["BEGIN", "TRANSACTION"]),
      pick<readonly Word[]>([], ["ISOLATION", "LEVEL", "SERIALIZABLE"], ["READ", "ONLY"], ["READ", "WRITE"]),
    )
    .map(([begin, modes]) =>
      esc("transaction_control", spoken([...begin, ...modes]), stmt(...begin, ...modes)),
    ),
  pick<readonly Word[]>(
    ["SET", "TRANSACTION", "ISOLATION", "LEVEL", "READ", "COMMITTED"],
    ["SET", "TRANSACTION", "READ", "WRITE"],
    ["SET", "SESSION", "CHARACTERISTICS", "AS", "TRANSACTION", "ISOLATION", "LEVEL", "SERIALIZABLE"],
  ).map((words) => esc("transaction_control", spoken(words.slice(0, 3)), stmt(...words))),
  pick("fc_commit_proc", "pg_catalog.fc_proc").map((name) =>
    esc("transaction_control", "CALL of a procedure", stmt("CALL", name, lit("()"))),
  ),
);
