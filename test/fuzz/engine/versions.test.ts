import { describe, expect, it } from "vitest";
import { currentVersions, versionDifferences } from "../../../src/fuzz/engine/versions.js";

describe("versionDifferences", () => {
  const here = { ...currentVersions(), corpus: "a".repeat(64) };

  it("is quiet when the finding was made on these very versions and seeds", () => {
    expect(versionDifferences(here, { ...here })).toEqual([]);
  });

  it("names each field that differs, the seed corpus included", () => {
    expect(versionDifferences({ ...here, fastCheck: "3.0.0", corpus: "b".repeat(64) }, here)).toEqual([
      `fastCheck 3.0.0 -> ${here.fastCheck}`,
      `corpus ${"b".repeat(64)} -> ${"a".repeat(64)}`,
    ]);
  });

  it("treats a finding from before seeds existed as made over another corpus", () => {
    const { corpus: _corpus, ...old } = here;
    expect(versionDifferences(old, here)).toEqual([`corpus (none) -> ${"a".repeat(64)}`]);
  });
});
