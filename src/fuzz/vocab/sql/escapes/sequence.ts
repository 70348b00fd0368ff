/** Sequences (C6): nextval and setval on a sequence that existed before ignore ROLLBACK. */
import fc from "fast-check";
import { lit, stmt, esc, pick, type Escape } from "../words.js";

/** The reference clone's pre-existing sequence (src/fuzz/targets/reference-clone.ts, SEED_SQL). */
export const PREEXISTING_SEQUENCE = "public.ticket_seq";

export const seqLiteral = pick(
  `'${PREEXISTING_SEQUENCE}'`,
  `'ticket_seq'`,
  `'"public"."ticket_seq"'`,
  `'${PREEXISTING_SEQUENCE}'::regclass`,
);

/**
 * Expressions that move the pre-existing sequence (last_value 100, is_called, in the reference
 * clone). Every one leaves last_value above 100, so no combination of them can cancel out: a
 * setval back to 100 followed by nextval would put the sequence exactly where it was.
 */
export const sequenceCall: fc.Arbitrary<readonly [string, string, string]> = fc.oneof(
  seqLiteral.map((seq) => ["nextval", `(${seq})`, "nextval"] as const),
  fc
    .tuple(seqLiteral, fc.integer({ min: 101, max: 1_000_000_000 }), pick("", ", true", ", false"))
    .map(([seq, n, called]) => ["setval", `(${seq}, ${n}${called})`, "setval"] as const),
);

export const sequence: fc.Arbitrary<Escape> = fc.oneof(
  sequenceCall.map(([fn, args, what]) => esc("sequence", what, stmt("SELECT", fn, lit(args)))),
  fc
    .tuple(seqLiteral, fc.integer({ min: 2, max: 20 }))
    .map(([seq, n]) =>
      esc(
        "sequence",
        "nextval over generate_series",
        stmt("SELECT", "nextval", lit(`(${seq})`), "FROM", "generate_series", lit(`(1, ${n})`)),
      ),
    ),
);
