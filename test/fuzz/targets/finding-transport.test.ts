/** A finding of the reference lane names the transport it went over, the one its bytes pick. */
import { describe, expect, it } from "vitest";
import { findingTransport, withTransport } from "../../../src/fuzz/run/finding-transport.js";
import { TRANSPORT_LABELS, transportFor } from "../../../src/fuzz/targets/transport-choice.js";
import { finding } from "../report/fixtures.js";

const BYTES = Buffer.from('{"kind":"action-request"}');
const PRIMARY = TRANSPORT_LABELS[transportFor(BYTES)];

describe("findingTransport", () => {
  it("names the transport the bytes pick, and for a difference the two copies after it", () => {
    expect(findingTransport(finding({ target: "reference" }))).toBe(`over ${PRIMARY}`);
    const differential = findingTransport(finding({ oracle: "differential" }));
    expect(differential.startsWith(`over ${PRIMARY}, then `)).toBe(true);
    for (const label of Object.values(TRANSPORT_LABELS)) expect(differential).toContain(label);
  });

  it("names in process for a clone probe, and each step's transport for a scenario", () => {
    const clone = finding({ cloneSetup: { marker: null, productionDatabases: [] } });
    expect(findingTransport(clone)).toBe("over in process (T1)");
    const steps = [{ kind: "setup" as const, copies: 1, bytesB64: BYTES.toString("base64") }];
    expect(findingTransport(finding({ steps }))).toBe(`steps over ${PRIMARY}`);
  });

  it("adds the transport to the target once", () => {
    const once = withTransport(finding({ target: "reference" }));
    expect(once.target).toBe(`reference over ${PRIMARY}`);
    expect(withTransport(once).target).toBe(once.target);
  });
});
