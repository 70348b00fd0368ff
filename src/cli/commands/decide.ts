import { announceLedger } from "./ledger.js";
import { openGateService } from "../../lane/server/gate-service.js";
import { parseFlags, usageError } from "../args.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { GATE_FLAGS, GATE_FLAGS_HELP, gateSetup } from "../gate-options.js";
import { type Io, readInput } from "../io.js";

export const DECIDE_USAGE = `Usage: failclosed decide --keyring K [options] REQUEST-FILE|-

Decides one action request and prints the verdict JSON. Exit 0 ALLOW, 1 HOLD or DENY, 2 usage.
${GATE_FLAGS_HELP}`;

export async function decideCommand(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseFlags(args, GATE_FLAGS, DECIDE_USAGE);
  if (values.help === true) {
    io.stdout(`${DECIDE_USAGE}\n`);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw usageError("exactly one REQUEST-FILE (or -) is required", DECIDE_USAGE);
  const setup = await gateSetup(values, io, DECIDE_USAGE);
  const body = await readInput(io, positionals[0] ?? "-");
  const service = await openGateService(setup);
  if (!setup.ephemeral) announceLedger(service.identity, setup.database, io);
  try {
    const answer = await service.decide(body);
    io.stdout(`${Buffer.from(answer.bytes).toString("utf8")}\n`);
    return answer.class === "allow" ? EXIT.OK : EXIT.NEGATIVE;
  } finally {
    await service.close();
  }
}
