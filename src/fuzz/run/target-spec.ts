import { FailclosedError } from "../../kernel/errors.js";
import { keyringUnderTestFromFiles } from "../keyring/external.js";
import { deriveKeyringUnderTest, type KeyringUnderTest } from "../keyring/under-test.js";
import type { CloneHook, HookResult } from "../targets/clone-hook.js";
import type { CloneDescription } from "../targets/clone-hook-protocol.js";
import { withCloneHook } from "../targets/clone-hook-target.js";
import { checkHealth, withHealthCheck, type Health, type HealthProbe } from "../targets/health.js";
import { targetOpener } from "../targets/opener.js";
import type { Target } from "../types.js";
import type { TargetSpec } from "./types.js";

/**
 * Time an external target has to answer its health check (a child's start included), unless the
 * spec says otherwise (`run --health-timeout`, for a gate that is slow to start).
 */
export const HEALTH_TIMEOUT_MS = { http: 10_000, child: 60_000 } as const;

function healthProbeOf(spec: TargetSpec): HealthProbe | undefined {
  switch (spec.kind) {
    case "reference":
      return undefined;
    case "http":
      return { kind: "http", url: spec.url };
    case "child":
      return { kind: "child", command: spec.command };
  }
}

/** Whether the target answers; the reference lane in process always does. */
export function targetHealth(spec: TargetSpec): Promise<Health> {
  const probe = healthProbeOf(spec);
  if (probe === undefined || spec.kind === "reference") return Promise.resolve({ kind: "up" });
  return checkHealth(probe, spec.healthTimeoutMs ?? HEALTH_TIMEOUT_MS[probe.kind]);
}

/** An external lane's clone hook (--clone-cmd) and what it said its clone is. */
export interface HookedClone {
  readonly hook: CloneHook;
  readonly described: HookResult<CloneDescription>;
}

/**
 * How the engine reaches the target the spec names; reference clones go under workDir. An
 * external target is checked after every probe that crashed or hung it (withHealthCheck); with a
 * clone hook it also rehearses on clones the hook provisions (P07).
 */
export function openerFor(
  spec: TargetSpec,
  workDir: string,
  clone?: HookedClone,
): (kut: KeyringUnderTest, now: number) => Promise<Target> {
  switch (spec.kind) {
    case "reference":
      return targetOpener({
        workDir,
        ...(spec.databaseUrl === undefined ? {} : { server: spec.databaseUrl }),
        transports: spec.inProcessOnly !== true,
      });
    case "http":
    case "child": {
      const open = targetOpener({
        workDir,
        ...(spec.kind === "http" ? { url: spec.url } : { command: spec.command }),
      });
      return async (kut, now) => {
        const opened = await open(kut, now);
        const hooked = clone === undefined ? opened : withCloneHook(opened, clone.hook, clone.described);
        return withHealthCheck(hooked, () => targetHealth(spec));
      };
    }
  }
}

/** The keyring under test: the user's files for an external target, else derived from the salt. */
export function keyringFor(spec: TargetSpec): (salt: string) => Promise<KeyringUnderTest> {
  switch (spec.kind) {
    case "reference":
      return deriveKeyringUnderTest;
    case "http":
    case "child": {
      const paths = spec.keyring;
      return (salt) => keyringUnderTestFromFiles(paths, salt);
    }
  }
}

/** A spec that cannot work is a USAGE error before anything starts. */
export function checkSpec(spec: TargetSpec): void {
  switch (spec.kind) {
    case "reference":
      return;
    case "http": {
      let url: URL;
      try {
        url = new URL(spec.url);
      } catch {
        throw new FailclosedError(
          "USAGE",
          `--target takes an http://HOST:PORT URL, not ${JSON.stringify(spec.url)}`,
        );
      }
      if (url.protocol !== "http:")
        throw new FailclosedError("USAGE", `--target takes an http:// URL, not ${url.protocol}//`);
      if (spec.keyring.length === 0) throw new FailclosedError("USAGE", "an external target needs --keyring");
      return;
    }
    case "child":
      if (spec.command.trim() === "") throw new FailclosedError("USAGE", "--target-cmd is empty");
      if (spec.keyring.length === 0) throw new FailclosedError("USAGE", "an external target needs --keyring");
      return;
  }
}

/** A target's address: what a spec and a finding's record of its target both carry. */
export type TargetAddress =
  | { readonly kind: "reference" }
  | { readonly kind: "http"; readonly url: string }
  | { readonly kind: "child"; readonly command: string };

/** Two specs or records name the same system under test (the keyring files aside). */
export function sameTarget(a: TargetAddress, b: TargetAddress): boolean {
  switch (a.kind) {
    case "reference":
      return b.kind === "reference";
    case "http":
      return b.kind === "http" && new URL(a.url).href === new URL(b.url).href;
    case "child":
      return b.kind === "child" && a.command === b.command;
  }
}

/** How a target is named in reports and findings: its kind and address or command, never a secret. */
export function describeTarget(spec: TargetSpec): string {
  switch (spec.kind) {
    case "reference":
      return spec.databaseUrl === undefined ? "reference" : "reference (real PostgreSQL)";
    case "http":
      return `http ${spec.url}`;
    case "child":
      return `child ${spec.command}`;
  }
}
