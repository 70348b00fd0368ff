import { defineConfig } from "vitest/config";

// Two cores: PGlite boots are CPU-heavy, so test files run in at most two workers.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
