/**
 * A fault-drill family (probes/d01-fault-drills.ts): a fault from the catalogue, and bytes from the
 * run's own vocabulary (sources.ts), either a refused attack or an otherwise-valid control. Under
 * a fault both must be refused, so a drill is an attack whatever its bytes, and the rule it breaks
 * is the fault's. The fault is part of the value: shrinking keeps it, and a finding names it.
 */
import fc from "fast-check";
import type { Operation, ProbeFamily } from "../types.js";
import { faultNamed, faultsFor, type FaultName } from "./catalogue.js";
import type { ByteSource } from "./sources.js";

export interface FaultDrillValue<A = unknown, C = unknown> {
  readonly fault: FaultName;
  readonly bytes:
    { readonly from: "attack"; readonly value: A } | { readonly from: "control"; readonly value: C };
}

export interface FaultDrillOptions<A, C> {
  readonly id: string;
  readonly name: string;
  readonly operation: Operation;
  /** The SPEC rules the drills hold the component to (the faults' own, and F1, F2, F4). */
  readonly rules: readonly string[];
  readonly minRuns: number;
  /** Requests refused anyway: fired under a fault, they try to make its error path echo. */
  readonly attack: ByteSource<A>;
  /** Requests allowed but for the fault: they reach as deep into the component as any. */
  readonly control: ByteSource<C>;
}

export function faultDrillFamily<A, C>(options: FaultDrillOptions<A, C>): ProbeFamily<FaultDrillValue<A, C>> {
  const { attack, control, operation } = options;
  const faults = faultsFor(operation);
  const missing = faults
    .flatMap((name) => faultNamed(name).rules)
    .filter((rule) => !options.rules.includes(rule));
  if (missing.length > 0)
    throw new TypeError(
      `fault drill ${options.id} does not declare rules ${[...new Set(missing)].join(", ")}`,
    );
  const describeBytes = (value: FaultDrillValue<A, C>): string =>
    value.bytes.from === "attack" ? attack.describe(value.bytes.value) : control.describe(value.bytes.value);
  return {
    id: options.id,
    name: options.name,
    operation,
    role: "attack",
    rules: options.rules,
    minRuns: options.minRuns,
    arbitrary: (ctx) =>
      fc.record({
        // A start fault's outcome does not depend on the bytes (drills.ts provokes it once per
        // target): request faults, which meet every request differently, are drawn twice as often.
        fault: fc.oneof(
          ...faults.map((name) => ({
            weight: faultNamed(name).phase === "request" ? 2 : 1,
            arbitrary: fc.constant(name),
          })),
        ),
        // Both kinds of bytes, as often: a valid request under a fault is the sharper test.
        bytes: fc.oneof(
          attack.arbitrary(ctx).map((value) => ({ from: "attack" as const, value })),
          control.arbitrary(ctx).map((value) => ({ from: "control" as const, value })),
        ),
      }),
    render: (value, ctx) =>
      value.bytes.from === "attack"
        ? attack.render(value.bytes.value, ctx)
        : control.render(value.bytes.value, ctx),
    breaks: (value) => {
      const fault = faultNamed(value.fault);
      // The rule ids first, as every family's breaks text starts (vocab/flaw.ts: "C1/S4: ...").
      return `${fault.rules.join("/")}: ${fault.name} (${fault.what})`;
    },
    describe: (value) => `under fault ${value.fault}: ${describeBytes(value)}`,
    fault: (value) => value.fault,
  };
}
