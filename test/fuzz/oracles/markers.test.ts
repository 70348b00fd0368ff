/** Echo markers: unique per purpose and probe, replay-stable, and found again in the bytes alone. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isMarker, markerFor, plantedMarkers } from "../../../src/fuzz/craft/markers.js";

/** R11: a marker is an identifier, so it can stand as a request_id. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "latin1"));

describe("echo markers", () => {
  it("are the same for the same probe, and differ between probes and purposes", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (salt, label, other) => {
        expect(markerFor("request_id", salt, label)).toBe(markerFor("request_id", salt, label));
        expect(isMarker(markerFor("request_id", salt, label))).toBe(true);
        expect(markerFor("request_id", salt, label)).toMatch(IDENTIFIER);
        if (other !== label)
          expect(markerFor("request_id", salt, label)).not.toBe(markerFor("request_id", salt, other));
        expect(markerFor("request_id", salt, label)).not.toBe(markerFor("migration", salt, label));
      }),
    );
  });

  it("are found in any bytes around them, raw or JSON-escaped, each once", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string(), (noise, label) => {
        const marker = markerFor("migration", label);
        const around = Buffer.from(noise).toString("latin1");
        const escaped = [...marker]
          .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
          .join("");
        expect(plantedMarkers(bytes(`${around}${marker}${around}${marker}`))).toEqual([marker]);
        expect(plantedMarkers(bytes(`"${escaped}"`))).toEqual([marker]);
      }),
    );
  });

  it("are not found where none was planted", () => {
    expect(plantedMarkers(bytes('{"request_id":"req-0001","note":"fcmk_short"}'))).toEqual([]);
    expect(isMarker("fcmk_0123")).toBe(false);
    expect(isMarker(`x${markerFor("a")}`)).toBe(false);
  });
});
