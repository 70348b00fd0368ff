import { fixedClock } from "../../kernel/clock.js";
import type { KeyringUnderTest } from "../keyring/under-test.js";
import type { Target } from "../types.js";
import { openChildTarget } from "./child.js";
import { openHttpTarget } from "./http.js";
import { openReferenceTarget, type ReferenceTargetOptions } from "./reference.js";

export interface TargetChoice {
  /** An HTTP gate (T2). */
  readonly url?: string;
  /** A child process speaking JSON lines (T3). */
  readonly command?: string;
  /** Where the reference lane keeps its clones, when neither is given. */
  readonly workDir: string;
  /** An admin connection to a real server for the reference lane's clone and sentinel. */
  readonly server?: string;
  /**
   * The reference lane also over HTTP and JSON lines, each probe over the transport its bytes pick
   * (reference.ts); the run and replay turn it on unless told in process only.
   */
  readonly transports?: boolean;
}

/**
 * How `run` and `replay` reach the system under test: the HTTP or child target the user named, or
 * the reference lane in process, built for the keyring under test and a fixed clock.
 */
export function targetOpener(choice: TargetChoice): TargetOpener {
  const reference = referenceOpener(choice.workDir, {
    ...(choice.server === undefined ? {} : { server: choice.server }),
    ...(choice.transports === true ? { transports: true } : {}),
  });
  return (kut, now) => {
    if (choice.url !== undefined) return Promise.resolve(openHttpTarget(choice.url));
    if (choice.command !== undefined) return Promise.resolve(openChildTarget(choice.command));
    return reference(kut, now);
  };
}

export type TargetOpener = (kut: KeyringUnderTest, now: number) => Promise<Target>;

/** What a caller may choose of the reference lane; the keyring, clock and test mode come from the run. */
export type ReferenceChoice = Omit<
  ReferenceTargetOptions,
  "keyringSources" | "clock" | "workDir" | "testMode" | "gateKid" | "rehearsalKid"
>;

/**
 * The reference lane for the run's keyring under test, at the run's fixed clock, sealing with the
 * keyring's own gate and rehearsal keys: the one way run, replay, calibration and tests build it.
 */
export function referenceOpener(workDir: string, choice: ReferenceChoice = {}): TargetOpener {
  return (kut, now) =>
    openReferenceTarget({
      ...choice,
      keyringSources: kut.sources,
      clock: fixedClock(now),
      workDir,
      testMode: true,
      gateKid: kut.kids.gate,
      rehearsalKid: kut.kids.rehearsal,
    });
}
