import { configDefaults, defineConfig } from "vitest/config";
import { SLOW_SUITES } from "./test/suites.js";

// Two cores: PGlite boots are CPU-heavy, so test files run in at most two workers. Two projects
// share that pool: `fast` (npm test) and `slow` (npm run test:slow), split in test/suites.ts.
export default defineConfig({
  test: {
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "fast",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...SLOW_SUITES],
        },
      },
      { extends: true, test: { name: "slow", include: [...SLOW_SUITES] } },
    ],
  },
});
