/**
 * The drill gate's in-memory ledger (about 180 MB of PGlite) is closed once no drill has come for
 * a while, and opened again for the next one: D01's last drill must not keep it to the run's end.
 */
import { describe, expect, it } from "vitest";
import { fixedClock } from "../../../src/kernel/clock.js";
import { GateDrill } from "../../../src/fuzz/faults/gate-drill.js";
import { BASE_NOW, makeTestKeys } from "../../support/gate-fixtures.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const NOT_JSON = new Uint8Array(Buffer.from("not a packet"));

describe("GateDrill idle close", () => {
  it("closes its gate when idle, keeps it while drills come, and reopens for the next", async () => {
    const keys = await makeTestKeys();
    const drill = new GateDrill({ keyring: keys.keyring, clock: fixedClock(BASE_NOW) }, 300);
    try {
      expect(drill.isOpen).toBe(false);
      const first = await drill.decide("ledger-unavailable", NOT_JSON, 30_000);
      expect(first.kind).toBe("answered");
      expect(drill.isOpen).toBe(true);
      // Drills closer together than the idle time keep the same gate open (must stay quiet).
      for (let i = 0; i < 3; i++) {
        await sleep(100);
        await drill.decide("ledger-unavailable", NOT_JSON, 30_000);
        expect(drill.isOpen).toBe(true);
      }
      // No drill for longer than the idle time: closed (must fire).
      await sleep(900);
      expect(drill.isOpen).toBe(false);
      // The next drill gets a gate again, and its answer is a refusal as before.
      const again = await drill.decide("ledger-unavailable", NOT_JSON, 30_000);
      expect(again.kind).toBe("answered");
      if (again.kind === "answered" && first.kind === "answered")
        expect(Buffer.from(again.bytes).toString()).toBe(Buffer.from(first.bytes).toString());
      expect(drill.isOpen).toBe(true);
    } finally {
      await drill.close();
    }
    expect(drill.isOpen).toBe(false);
  }, 60_000);
});
