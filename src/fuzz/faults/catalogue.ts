/**
 * The fault drills' catalogue (issue #15, SPEC G6, S7, C7, F1, F2, F4): configuration and
 * dependency failures the reference lane's own fuzzing provokes on purpose. Each fault is fired
 * with probe bytes from the run, and judged by the same oracles as every other probe: under a
 * fault the answer is a refusal (a DENY, REFUSED or FAIL), never ALLOW or PASS, with no canary in
 * anything the component answers, prints, writes or records, and no stack trace in what it prints.
 *
 * A request fault breaks a dependency while a request is decided or rehearsed. A start fault
 * breaks the configuration before the component starts: the component must refuse to start with
 * a clean error whose stable code says the keyring is at fault (S7), and then nothing is fired.
 * The names are stable: a finding records its fault by name, and a replay provokes it again.
 */
import type { Operation } from "../types.js";
import type { RuleId } from "../vocab/rule-id.js";
import { FAULT_NAMES, type FaultName } from "./fault-name.js";

export { FAULT_NAMES, type FaultName };

export interface Fault {
  readonly name: FaultName;
  readonly phase: "request" | "start";
  /** The operations whose component the fault is provoked in (the gate decides, the lane rehearses). */
  readonly operations: readonly Operation[];
  /** The SPEC rules that say how the component must behave under it. */
  readonly rules: readonly RuleId[];
  /** What is done to the component, in a few words, for findings and docs/operating.md. */
  readonly what: string;
}

const BOTH: readonly Operation[] = ["decide", "rehearse"];

export const FAULTS: ReadonlyMap<FaultName, Fault> = new Map(
  (
    [
      {
        name: "ledger-unavailable",
        phase: "request",
        operations: ["decide"],
        rules: ["G6", "G8"],
        what: "every call to the gate's ledger fails as a refused connection does",
      },
      {
        name: "ledger-fails-mid-decision",
        phase: "request",
        operations: ["decide"],
        rules: ["G5", "G6"],
        what: "the ledger writes the decision, then its connection drops before it answers",
      },
      {
        name: "clone-unavailable",
        phase: "request",
        operations: ["rehearse"],
        rules: ["C1", "C7"],
        what: "the clone database refuses the lane's first contact",
      },
      {
        name: "clone-vanishes-mid-rehearsal",
        phase: "request",
        operations: ["rehearse"],
        rules: ["C3", "C4", "C5", "C6"],
        what: "the clone's session dies after the digest before the migration",
      },
      {
        name: "evidence-unwritable",
        phase: "request",
        operations: ["rehearse"],
        rules: ["C7", "E1"],
        what: "the evidence directory is replaced by a regular file while the lane runs",
      },
      {
        name: "keyring-missing",
        phase: "start",
        operations: BOTH,
        rules: ["S7"],
        what: "the keyring file the component is configured with does not exist",
      },
      {
        name: "keyring-unreadable",
        phase: "start",
        operations: BOTH,
        rules: ["S7"],
        what: "the keyring path is a directory, which no one can read as a file",
      },
      {
        name: "keyring-malformed",
        phase: "start",
        operations: BOTH,
        rules: ["S7", "R1"],
        what: "the keyring file is cut short just after its first private key",
      },
      {
        name: "keyring-wrong-role",
        phase: "start",
        operations: BOTH,
        rules: ["S1", "S7"],
        what: "the key the component is told to sign with is labelled with another role",
      },
    ] satisfies Fault[]
  ).map((fault) => [fault.name, fault] as const),
);

export function isFaultName(value: unknown): value is FaultName {
  return typeof value === "string" && (FAULT_NAMES as readonly string[]).includes(value);
}

export function faultNamed(name: FaultName): Fault {
  const fault = FAULTS.get(name);
  // The map is built from the same list as the type: a miss is a bug here, never user input.
  if (fault === undefined) throw new TypeError(`fault ${name} is not in the catalogue`);
  return fault;
}

/** The faults provoked in the component that answers `operation`, in catalogue order. */
export function faultsFor(operation: Operation): readonly FaultName[] {
  return FAULT_NAMES.filter((name) => faultNamed(name).operations.includes(operation));
}
