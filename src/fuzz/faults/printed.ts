/**
 * What an in-process component prints while a fault drill runs (the stderr and log channel of
 * SPEC F2 and F4 for the reference lane, which has no process of its own): the lane's injected
 * notice logger, and the global console, which is where a careless error handler writes. The
 * console is swapped only for the drill's duration and drills are serialised, so two drills never
 * read each other's lines; what is captured is not passed on to the terminal (it may hold a key).
 */
import { format } from "node:util";
import { Mutex } from "../../lane/index.js";
import { noticeText } from "../targets/lane-notices.js";

const METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

export interface Printed<T> {
  readonly value: T;
  /** Every line printed, in order, each ending in a newline. */
  readonly text: string;
}

/** The component's injected logger (the lane's `notice`) writes here too. */
export type Notice = (line: string) => void;

const drills = new Mutex();

export function capturePrinted<T>(run: (notice: Notice) => Promise<T>): Promise<Printed<T>> {
  return drills.run(async () => {
    const lines: string[] = [];
    // The properties themselves are kept and put back: the same functions, not copies.
    const saved = METHODS.map(
      (method) => [method, Object.getOwnPropertyDescriptor(console, method)] as const,
    );
    for (const method of METHODS) {
      console[method] = (...args: unknown[]) => {
        // console.trace prints its stack too: a trace is what F4 looks for, so it is kept.
        lines.push(
          `${method === "trace" ? `Trace: ${format(...args)}\n${new Error().stack ?? ""}` : format(...args)}\n`,
        );
      };
    }
    try {
      const value = await run((line) => lines.push(noticeText(line)));
      return { value, text: lines.join("") };
    } finally {
      for (const [method, original] of saved) {
        if (original === undefined) Reflect.deleteProperty(console, method);
        else Object.defineProperty(console, method, original);
      }
    }
  });
}
