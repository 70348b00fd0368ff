/**
 * Target health: whether the system under test answers at all. A target that never answers is
 * not a target that fails open or closed: nothing can be judged (exit 2, no findings). After a
 * probe crashed or hung it, the same check tells a target that fails on those bytes (an F4
 * finding, once a fresh target fails the same way) from one that is simply gone (inconclusive).
 */
import { get } from "node:http";
import type { Outcome, Target } from "../types.js";
import { openChildTarget } from "./child.js";
import { describeError } from "./deadline.js";

export type Health = { readonly kind: "up" } | { readonly kind: "down"; readonly detail: string };

/** What to ask: GET /healthz of an HTTP gate (T2), or one line to a fresh child (T3). */
export type HealthProbe =
  { readonly kind: "http"; readonly url: string } | { readonly kind: "child"; readonly command: string };

/** A well-formed T3 line whose body is refused by any gate: it asks for nothing. */
const EMPTY_REQUEST = new TextEncoder().encode("{}");

function httpHealth(url: string, timeoutMs: number): Promise<Health> {
  const base = new URL(url);
  const healthz = new URL(`${base.pathname.replace(/\/$/, "")}/healthz`, base);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ kind: "down", detail: `${healthz.href} did not answer within ${timeoutMs} ms` });
    }, timeoutMs);
    const req = get(healthz, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        resolve(
          status === 200
            ? { kind: "up" }
            : { kind: "down", detail: `${healthz.href} answered ${status}, not 200` },
        );
      });
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      resolve({ kind: "down", detail: `${healthz.href}: ${describeError(error)}` });
    });
  });
}

async function childHealth(command: string, timeoutMs: number): Promise<Health> {
  const child = openChildTarget(command, { startupMs: timeoutMs });
  try {
    const outcome = await child.fire("decide", EMPTY_REQUEST, 0);
    switch (outcome.kind) {
      case "responded":
        return { kind: "up" };
      case "crashed":
        return { kind: "down", detail: `child ${command}: ${outcome.detail} before answering a line` };
      case "timed_out":
        return { kind: "down", detail: `child ${command}: no answer line within ${timeoutMs} ms` };
      case "harness_error":
        return { kind: "down", detail: `child ${command}: ${outcome.detail}` };
    }
  } finally {
    await child.close().catch(() => undefined);
  }
}

/** Asks the target whether it answers; never throws. */
export function checkHealth(probe: HealthProbe, timeoutMs: number): Promise<Health> {
  switch (probe.kind) {
    case "http":
      return httpHealth(probe.url, timeoutMs);
    case "child":
      return childHealth(probe.command, timeoutMs);
  }
}

/**
 * The target, with a health check after every probe that crashed or hung it: when the target,
 * restarted, no longer answers, the outcome becomes a harness error (its family inconclusive,
 * never closed, never a confirmed finding) instead of a crash the target cannot be blamed for
 * alone. A target that answers again keeps the crash: the engine confirms it on the same bytes.
 */
export function withHealthCheck(target: Target, health: () => Promise<Health>): Target {
  const judged = async (outcome: Outcome): Promise<Outcome> => {
    if (outcome.kind !== "crashed" && outcome.kind !== "timed_out") return outcome;
    // A failed restart is said when the target stays down; one that answers anyway was restarted.
    const restartFailure = await target.restart().then(
      () => "",
      (error: unknown) => ` (its restart failed: ${describeError(error)})`,
    );
    const now = await health();
    if (now.kind === "up") return outcome;
    const what = outcome.kind === "crashed" ? `crashed (${outcome.detail})` : "hung";
    return {
      kind: "harness_error",
      detail: `the target ${what} on a probe and could not be brought back: ${now.detail}${restartFailure}`,
    };
  };
  const fireOnClone = target.fireOnClone?.bind(target);
  const fireCopies = target.fireCopies?.bind(target);
  const state = target.state?.bind(target);
  return {
    name: target.name,
    operations: target.operations,
    fire: async (operation, bytes, timeoutMs, request) =>
      judged(await target.fire(operation, bytes, timeoutMs, request)),
    ...(fireCopies === undefined
      ? {}
      : {
          // One at a time: judged() may restart the target, which a sibling copy must not race.
          fireCopies: async (operation, bytes, copies, timeoutMs) => {
            const outcomes: Outcome[] = [];
            for (const outcome of await fireCopies(operation, bytes, copies, timeoutMs))
              outcomes.push(await judged(outcome));
            return outcomes;
          },
        }),
    ...(fireOnClone === undefined
      ? {}
      : {
          fireOnClone: async (setup, bytes, timeoutMs) => judged(await fireOnClone(setup, bytes, timeoutMs)),
        }),
    ...(state === undefined ? {} : { state }),
    restart: () => target.restart(),
    close: () => target.close(),
  };
}
