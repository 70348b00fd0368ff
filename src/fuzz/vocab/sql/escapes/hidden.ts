/** Escapes hidden inside other statements: the call runs when the statement or the object does. */
import fc from "fast-check";
import { sideChannelCall } from "./side-channel.js";
import { sessionCall } from "./session-state.js";
import { sequenceCall } from "./sequence.js";
import {
  lit,
  body,
  stmt,
  esc,
  pick,
  TABLE,
  NAME,
  type Escape,
  type EscapeClass,
  type Word,
} from "../words.js";

export type Call = readonly [cls: EscapeClass, fn: string, args: string];

export const hiddenCall: fc.Arbitrary<Call> = fc.oneof(
  sideChannelCall.map(([fn, args]): Call => ["side_channel", fn, args]),
  sessionCall.map(([fn, args]): Call => ["session_state", fn, args]),
  fc.constant<Call>(["non_transactional", "pg_notify", "('fc_channel', 'escaped')"]),
  sequenceCall.map(([fn, args]): Call => ["sequence", fn, args]),
);

export const hidden: fc.Arbitrary<Escape> = fc
  .tuple(hiddenCall, pick("CTE", "DEFAULT", "CHECK", "view", "trigger function", "SQL function"))
  .map(([[cls, fn, args], where]) => {
    const call: readonly Word[] = [fn, lit(args)];
    const t = `fc_h_${NAME}`;
    switch (where) {
      case "CTE":
        return esc(
          cls,
          `${fn} in a CTE`,
          stmt(
            "WITH",
            "x",
            "AS",
            lit("("),
            "SELECT",
            ...call,
            "AS",
            "v",
            lit(")"),
            "SELECT",
            "v",
            "FROM",
            "x",
          ),
        );
      case "DEFAULT":
        return esc(
          cls,
          `${fn} in a DEFAULT`,
          stmt(
            "CREATE",
            "TABLE",
            t,
            lit("("),
            "id",
            "integer",
            lit(","),
            "v",
            "text",
            "DEFAULT",
            ...call,
            lit("::text )"),
          ),
          stmt("INSERT", "INTO", t, lit("(id)"), "VALUES", lit("(1)")),
        );
      case "CHECK":
        return esc(
          cls,
          `${fn} in a CHECK`,
          stmt(
            "CREATE",
            "TABLE",
            t,
            lit("("),
            "id",
            "integer",
            "CHECK",
            lit("("),
            ...call,
            "IS",
            "NOT",
            "NULL",
            lit("))"),
          ),
          stmt("INSERT", "INTO", t, "VALUES", lit("(1)")),
        );
      case "view":
        return esc(
          cls,
          `${fn} in a view`,
          stmt("CREATE", "VIEW", t, "AS", "SELECT", ...call, "AS", "v"),
          stmt("SELECT", lit("*"), "FROM", t),
        );
      case "trigger function":
        return esc(
          cls,
          `${fn} in a trigger function`,
          stmt("CREATE", "TABLE", t, lit("(id integer)")),
          stmt(
            "CREATE",
            "FUNCTION",
            `${t}_fn`,
            lit("()"),
            "RETURNS",
            "trigger",
            "LANGUAGE",
            "plpgsql",
            "AS",
            body("$trg$", "BEGIN", "PERFORM", ...call, lit(";"), "RETURN", "NEW", lit(";"), "END"),
          ),
          stmt(
            "CREATE",
            "TRIGGER",
            `${t}_trg`,
            "BEFORE",
            "INSERT",
            "ON",
            t,
            "FOR",
            "EACH",
            "ROW",
            "EXECUTE",
            "FUNCTION",
            `${t}_fn`,
            lit("()"),
          ),
          stmt("INSERT", "INTO", t, "VALUES", lit("(1)")),
        );
      case "SQL function":
        return esc(
          cls,
          `${fn} in a SQL function body`,
          stmt(
            "CREATE",
            "FUNCTION",
            `${t}_fn`,
            lit("()"),
            "RETURNS",
            "text",
            "LANGUAGE",
            "sql",
            "AS",
            body("$sql$", "SELECT", ...call, lit("::text")),
          ),
          stmt("SELECT", `${t}_fn`, lit("()")),
        );
    }
  });

/** A NOTIFY in a rule action: a statement nested in another, not a function call. */
export const ruleAction: fc.Arbitrary<Escape> = fc.constant(
  esc(
    "non_transactional",
    "NOTIFY in a rule action",
    stmt(
      "CREATE",
      "RULE",
      `fc_rule_${NAME}`,
      "AS",
      "ON",
      "INSERT",
      "TO",
      TABLE,
      "DO",
      "ALSO",
      "NOTIFY",
      "fc_channel",
    ),
  ),
);
