import type { ExitCode } from "./exit-codes.js";
import type { Io } from "./io.js";
import { keysCommand, KEYS_USAGE } from "./commands/keys.js";
import { sealCommand, SEAL_USAGE } from "./commands/seal.js";
import { treeCommand, TREE_USAGE } from "./commands/tree.js";
import { verifyCommand, VERIFY_USAGE } from "./commands/verify.js";
import { decideCommand, DECIDE_USAGE } from "./commands/decide.js";
import { serveCommand, SERVE_USAGE } from "./commands/serve.js";
import { rehearseCommand, REHEARSE_USAGE } from "./commands/rehearse.js";
import { cloneCommand, CLONE_USAGE } from "./commands/clone.js";
import { runCommand, RUN_USAGE } from "./commands/run.js";
import { replayCommand, REPLAY_USAGE } from "./commands/replay.js";
import { gateCommand, GATE_USAGE } from "./commands/gate.js";
import { corpusCommand, CORPUS_USAGE } from "./commands/corpus.js";
import { ledgerCommand, LEDGER_USAGE } from "./commands/ledger.js";
import { attestCommand, ATTEST_USAGE } from "./commands/attest.js";
import { calibrateCommand, CALIBRATE_USAGE } from "./commands/calibrate.js";

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly run: (args: readonly string[], io: Io) => Promise<ExitCode>;
}

/** Every command of the command line; each is a thin layer over the programmatic API. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  [
    "run",
    {
      summary: "fire every probe family at the target; exit 0 all closed, 1 finding, 2 inconclusive",
      usage: RUN_USAGE,
      run: runCommand,
    },
  ],
  [
    "calibrate",
    {
      summary: "plant known flaws in the reference lane: exit 0 every flaw found, 1 the fuzzer is blind",
      usage: CALIBRATE_USAGE,
      run: calibrateCommand,
    },
  ],
  [
    "replay",
    {
      summary: "fire a saved finding again: exit 1 still fails, 0 fixed",
      usage: REPLAY_USAGE,
      run: replayCommand,
    },
  ],
  [
    "corpus",
    {
      summary: "corpus add FINDING.json: save a finding for every later run to replay first",
      usage: CORPUS_USAGE,
      run: corpusCommand,
    },
  ],
  [
    "attest",
    {
      summary: "attest evidence SEAL: sealed rehearsal evidence as an in-toto Statement in a DSSE envelope",
      usage: ATTEST_USAGE,
      run: attestCommand,
    },
  ],
  [
    "gate",
    {
      summary: "the release gate over one or more reports: prints the pass rate N/10",
      usage: GATE_USAGE,
      run: gateCommand,
    },
  ],
  [
    "serve",
    {
      summary: "serve the gate over HTTP (T2) or JSON lines on stdio (T3)",
      usage: SERVE_USAGE,
      run: serveCommand,
    },
  ],
  [
    "decide",
    {
      summary: "decide one action request (exit 0 ALLOW, 1 HOLD or DENY)",
      usage: DECIDE_USAGE,
      run: decideCommand,
    },
  ],
  [
    "ledger",
    {
      summary: "ledger init | show: create the gate's ledger with its id, or show it",
      usage: LEDGER_USAGE,
      run: ledgerCommand,
    },
  ],
  [
    "rehearse",
    {
      summary: "rehearse a migration on a clone (exit 0 PASS, 1 FAIL or REFUSED)",
      usage: REHEARSE_USAGE,
      run: rehearseCommand,
    },
  ],
  [
    "clone",
    {
      summary: "clone create: make a clone with its marker; clone hook: the stand-in lane's clone hook",
      usage: CLONE_USAGE,
      run: cloneCommand,
    },
  ],
  [
    "seal",
    {
      summary: "seal a document or an artifact with a key of the keyring",
      usage: SEAL_USAGE,
      run: sealCommand,
    },
  ],
  ["verify", { summary: "verify a seal (exit 0 valid, 1 invalid)", usage: VERIFY_USAGE, run: verifyCommand }],
  [
    "tree",
    { summary: "print or verify an evidence directory's tree id", usage: TREE_USAGE, run: treeCommand },
  ],
  [
    "keys",
    { summary: "keys init DIR: write a fresh keyring for every role", usage: KEYS_USAGE, run: keysCommand },
  ],
]);
