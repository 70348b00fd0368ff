import {
  MARKER_FLAWS,
  describeMarker,
  markerBreaks,
  markerValues,
  renderMarkerProbe,
  type MarkerValue,
  type ProbeFamily,
} from "../src/index.js";

/**
 * P07 production-target (C1): a clean rehearsal on a clone from the marker flaw table: no marker,
 * a marker sealed by another role or an unknown key, naming another database, tampered, of the
 * wrong typ or with an extra claim, or a clone the lane is configured to call production.
 */
export const family: ProbeFamily<MarkerValue> = {
  id: "P07",
  name: "production-target",
  operation: "rehearse",
  role: "attack",
  rules: ["C1", "S1", "S2", "S4", "S5"],
  // Every probe builds a clone and boots a lane on it: a few seconds each.
  minRuns: 8,
  arbitrary: () => markerValues(MARKER_FLAWS),
  render: renderMarkerProbe,
  cloneSetup: (value, ctx) => MARKER_FLAWS.apply(value, ctx),
  breaks: markerBreaks,
  describe: describeMarker,
};
