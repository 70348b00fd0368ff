/**
 * Start drills (S7): the reference gate or lane started, as its command line starts it, on a
 * keyring broken as the fault says. The fuzzer's statement of the contract: the component refuses
 * to start, with a FailclosedError whose stable code names the keyring (or a key in it) as the
 * cause; what it prints is the one line the command line prints for such an error. A component
 * that starts, or refuses for another reason (it got past the keyring), or throws anything else,
 * has not failed closed at start.
 */
import { join } from "node:path";
import type { Clock } from "../../kernel/clock.js";
import { isFailclosedError, type ErrorCode } from "../../kernel/errors.js";
import {
  loadKeyring,
  openGateService,
  openLane,
  type GateComponents,
  type Keyring,
  type KeyringSource,
  type LaneComponents,
} from "../../lane/index.js";
import type { Operation } from "../types.js";
import type { FaultName } from "./catalogue.js";
import { writeBrokenKeyring } from "./keyring-files.js";
import type { Notice } from "./printed.js";

/** The codes that say "the keyring is at fault" (docs/protocol.md's list of stable codes). */
const KEYRING_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "FILE_UNREADABLE",
  "KEYRING_INVALID",
  "KEYRING_PERMISSIONS",
  "KEY_MISSING",
  "KEY_WRONG_ROLE",
  "KEY_ALG_MISMATCH",
  "HMAC_SECRET_TOO_SHORT",
]);

export type StartFault = Extract<FaultName, `keyring-${string}`>;

export interface StartDrillEnv {
  /** Each component's share of the keyring under test (keyring-split.ts). */
  readonly shares: { readonly gate: readonly KeyringSource[]; readonly lane: readonly KeyringSource[] };
  readonly clock: Clock;
  readonly gateComponents?: Partial<GateComponents>;
  readonly laneComponents?: Partial<LaneComponents>;
  /** How the composition root reads keyring files: the lane's loadKeyring, or a test's flawed one. */
  readonly loadKeyring?: KeyringLoader;
}

export type KeyringLoader = (
  paths: readonly string[],
  options: { readonly testMode: boolean },
) => Promise<Keyring>;

export type StartAnswer =
  /** Refused to start, cleanly: `printed` is the command line's one line for the error. */
  | { readonly kind: "refused"; readonly code: ErrorCode; readonly printed: string }
  /** Started, or failed only after it had accepted the broken keyring. */
  | { readonly kind: "accepted"; readonly detail: string; readonly printed: string }
  /** Threw something without a stable code: an unhandled error, printed with its stack. */
  | { readonly kind: "unclean"; readonly detail: string; readonly printed: string };

function answerFor(error: unknown, component: string): StartAnswer {
  if (isFailclosedError(error)) {
    const printed = `failclosed: ${error.code}: ${error.message}\n`;
    return KEYRING_CODES.has(error.code)
      ? { kind: "refused", code: error.code, printed }
      : {
          kind: "accepted",
          detail: `the ${component} accepted the broken keyring and refused only later, with ${error.code}`,
          printed,
        };
  }
  const name = error instanceof Error ? error.name : typeof error;
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    kind: "unclean",
    detail: `the ${component} refused to start with ${name}, not an error with a stable code`,
    printed: `${stack}\n`,
  };
}

async function startGate(
  env: StartDrillEnv,
  paths: readonly string[],
  kid: string | undefined,
): Promise<void> {
  const keyring = await (env.loadKeyring ?? loadKeyring)(paths, { testMode: true });
  const gate = await openGateService({
    keyring,
    database: { engine: "pglite" },
    clock: env.clock,
    ...(kid === undefined ? {} : { gateKid: kid }),
    ...(env.gateComponents === undefined ? {} : { components: env.gateComponents }),
  });
  await gate.close();
}

async function startLane(
  env: StartDrillEnv,
  dir: string,
  paths: readonly string[],
  kid: string | undefined,
  notice: Notice,
): Promise<void> {
  const keyring = await (env.loadKeyring ?? loadKeyring)(paths, { testMode: true });
  const lane = await openLane(
    {
      // Never made: a lane that gets past its keyring stops here, and that says it accepted it.
      clone: { engine: "pglite", dataDir: join(dir, "clone-never-made") },
      production: [{ database: "production" }],
      keyring: [],
      ...(kid === undefined ? {} : { rehearsalKid: kid }),
      evidenceDir: join(dir, "evidence"),
      statementTimeoutMs: 10_000,
      compareCluster: true,
    },
    {
      testMode: true,
      keyring,
      clock: env.clock,
      notice,
      ...(env.laneComponents === undefined ? {} : { components: env.laneComponents }),
    },
  );
  await lane.close();
}

/** Starts the component that answers `operation` on a keyring broken by `fault`, in `dir`. */
export async function startUnderFault(
  env: StartDrillEnv,
  fault: StartFault,
  operation: Operation,
  dir: string,
  notice: Notice,
): Promise<StartAnswer> {
  const gate = operation === "decide";
  const files = await writeBrokenKeyring(
    join(dir, "keyring"),
    gate ? env.shares.gate : env.shares.lane,
    fault,
    gate ? { own: "gate", other: "rehearsal" } : { own: "rehearsal", other: "gate" },
  );
  const component = gate ? "gate" : "lane";
  try {
    if (gate) await startGate(env, files.paths, files.signerKid);
    else await startLane(env, dir, files.paths, files.signerKid, notice);
  } catch (error) {
    return answerFor(error, component);
  }
  return { kind: "accepted", detail: `the ${component} started on a broken keyring (S7)`, printed: "" };
}
