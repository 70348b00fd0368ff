/** The state lock: attacks share it, what changes the state by design holds it alone, in arrival order. */
import { describe, expect, it } from "vitest";
import { StateLock } from "../../../src/fuzz/engine/state-lock.js";

/** A promise and the function that settles it, to hold a lock open as long as a test wants. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("StateLock", () => {
  it("lets shared holders run together", async () => {
    const lock = new StateLock();
    const hold = gate();
    let inside = 0;
    const a = lock.shared(async () => {
      inside++;
      await hold.opened;
    });
    const b = lock.shared(async () => {
      inside++;
      await hold.opened;
    });
    await tick();
    expect(inside).toBe(2);
    hold.open();
    await Promise.all([a, b]);
  });

  it("runs an exclusive holder alone: after the shared ones before it, before the shared ones after it", async () => {
    const lock = new StateLock();
    const log: string[] = [];
    const first = gate();
    const reader1 = lock.shared(async () => {
      log.push("r1 in");
      await first.opened;
      log.push("r1 out");
    });
    const writer = lock.exclusive(async () => {
      log.push("w in");
      await tick();
      log.push("w out");
    });
    const reader2 = lock.shared(async () => {
      log.push("r2 in");
      await Promise.resolve();
      log.push("r2 out");
    });
    await tick();
    // The queued writer keeps the later reader out although a reader holds the lock.
    expect(log).toEqual(["r1 in"]);
    first.open();
    await Promise.all([reader1, writer, reader2]);
    expect(log).toEqual(["r1 in", "r1 out", "w in", "w out", "r2 in", "r2 out"]);
  });

  it("releases the lock when the holder throws", async () => {
    const lock = new StateLock();
    await expect(lock.exclusive(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await lock.exclusive(() => Promise.resolve("after"))).toBe("after");
    expect(await lock.shared(() => Promise.resolve("shared"))).toBe("shared");
  });

  /** A rehearsal attack holding the lock shared until `open` is called, logging in and out. */
  function holdRehearsal(lock: StateLock, log: string[]): { open: () => void; done: Promise<void> } {
    const rehearsal = gate();
    const done = lock.shared(async () => {
      log.push("rehearsal in");
      await rehearsal.opened;
      log.push("rehearsal out");
    }, "rehearse");
    return { open: rehearsal.open, done };
  }

  /** A gate control (exclusive on decide) that logs when it runs. */
  const gateControl = (lock: StateLock, log: string[]): Promise<void> =>
    lock.exclusive(() => {
      log.push("gate control");
      return Promise.resolve();
    }, "decide");

  it("kept per operation: a gate control waits for gate attacks only, never for a rehearsal", async () => {
    const lock = new StateLock({ perOperation: true });
    const log: string[] = [];
    const rehearsal = holdRehearsal(lock, log);
    await gateControl(lock, log);
    expect(log).toEqual(["rehearsal in", "gate control"]);
    // Work that names no operation holds every operation's lock: it waits for the rehearsal.
    const restart = lock.exclusive(async () => {
      log.push("restart");
      await tick();
    });
    await tick();
    expect(log).not.toContain("restart");
    rehearsal.open();
    await Promise.all([rehearsal.done, restart]);
    expect(log).toEqual(["rehearsal in", "gate control", "rehearsal out", "restart"]);
  });

  it("kept whole by default: an exclusive holder of one operation waits for the other's", async () => {
    const lock = new StateLock();
    const log: string[] = [];
    const rehearsal = holdRehearsal(lock, log);
    const control = gateControl(lock, log);
    await tick();
    expect(log).toEqual(["rehearsal in"]);
    rehearsal.open();
    await Promise.all([rehearsal.done, control]);
    expect(log).toEqual(["rehearsal in", "rehearsal out", "gate control"]);
  });
});
