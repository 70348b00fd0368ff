/** psql meta-commands (C2): not SQL; a lane that pipes the migration through psql would run them. */
import fc from "fast-check";
import { esc, pick, TABLE, type Escape } from "../words.js";

export const metaCommand: fc.Arbitrary<Escape> = fc.oneof(
  pick("\\! id", "\\! cat /etc/passwd", "\\! sh -c 'echo escaped > /tmp/fc-escaped'").map((line) =>
    esc("meta_command", "\\! shell", { meta: line }),
  ),
  pick(`\\copy ${TABLE} to '/tmp/fc-escaped'`, "\\copy (select 1) to program 'id'").map((line) =>
    esc("meta_command", "\\copy", { meta: line }),
  ),
  fc.constant(esc("meta_command", "\\gexec", { meta: "SELECT 'VACUUM' \\gexec" })),
  pick(
    "\\i /etc/passwd",
    "\\o /tmp/fc-escaped",
    "\\c postgres",
    "\\set AUTOCOMMIT on",
    "\\connect template1",
  ).map((line) => esc("meta_command", line.split(" ")[0] ?? line, { meta: line })),
);
