/**
 * The clone hook as three calls (clone-hook-protocol.ts): each answers a result, never throws,
 * and a failure carries one line saying which step failed and why.
 */
import type { CloneSetup } from "../types.js";
import { execCloneHook, type HookExecOptions } from "./clone-hook-exec.js";
import {
  parseDescribeAnswer,
  parseDoneAnswer,
  prepareRequest,
  type CloneDescription,
  type CloneHookRequest,
  type ParsedAnswer,
} from "./clone-hook-protocol.js";

export type HookResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly detail: string };

export interface CloneHook {
  /** How the hook is named in messages: its command, which the user wrote (never a secret). */
  readonly command: string;
  describe(): Promise<HookResult<CloneDescription>>;
  prepare(setup: CloneSetup): Promise<HookResult<null>>;
  restore(): Promise<HookResult<null>>;
}

export function commandCloneHook(command: string, options: HookExecOptions = {}): CloneHook {
  async function call<T>(
    request: CloneHookRequest,
    parse: (text: string) => ParsedAnswer<T>,
  ): Promise<HookResult<T>> {
    const run = await execCloneHook(command, request, options);
    const parsed: ParsedAnswer<T> = run.kind === "answered" ? parse(run.stdout) : { ok: false, why: run.why };
    return parsed.ok
      ? { ok: true, value: parsed.value }
      : { ok: false, detail: `clone hook ${request.op} failed (--clone-cmd): ${parsed.why}` };
  }
  return {
    command,
    describe: () => call({ v: 1, op: "describe" }, parseDescribeAnswer),
    prepare: (setup) => call(prepareRequest(setup), parseDoneAnswer),
    restore: () => call({ v: 1, op: "restore" }, parseDoneAnswer),
  };
}
