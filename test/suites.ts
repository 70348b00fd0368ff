/**
 * The two test suites (issue #17). `npm test` runs the fast suite: every unit, property and
 * component test, on PGlite and on the real server, in a few minutes, for every change.
 * `npm run test:slow` runs the end-to-end suites listed here: whole fuzz runs, child processes and
 * servers driven through the real command line, crash and interruption drills. CI runs both
 * (`.ci/run`); `npm run test:all` runs both in one go. No test is dropped: a file is in exactly one
 * suite, and test/architecture/suites.test.ts fails when an entry here names no file.
 *
 * A file belongs here when it drives a whole run or a real process end to end (its cost is the
 * run, not the assertion), chosen from the suite's measured per-file times (2026-12-07: every file
 * over about 40 s of a loaded full run except the gate's seed-packet; then the lane's main test,
 * 64 s of the fast suite's 530 s in CI, which put the fast suite at 5 m 27 s). Someone changing the
 * lane runs `npx vitest run test/lane`, which takes both suites' files there.
 */
export const SLOW_SUITES: readonly string[] = [
  "test/cli/clone-hook-command.test.ts",
  "test/cli/clone-hook-run.test.ts",
  "test/cli/first-run.test.ts",
  "test/cli/rehearse.test.ts",
  "test/cli/run.test.ts",
  "test/cli/serve-decide.test.ts",
  "test/cli/user-errors.test.ts",
  "test/eco/attest.test.ts",
  "test/eco/example-fails-closed.test.ts",
  "test/eco/sarif.test.ts",
  "test/eco/vitest-helper.test.ts",
  "test/fuzz/faults/drills-quiet.test.ts",
  "test/fuzz/faults/drills-runs.test.ts",
  "test/fuzz/metamorphic/families-quiet.test.ts",
  "test/fuzz/oracles/metamorphic.test.ts",
  "test/fuzz/proof/broken-targets.test.ts",
  "test/fuzz/proof/interrupt.test.ts",
  "test/fuzz/proof/replay.test.ts",
  "test/fuzz/targets/broken-child.test.ts",
  "test/fuzz/targets/broken-http.test.ts",
  "test/fuzz/targets/broken-in-process.test.ts",
  "test/fuzz/targets/external-cli.test.ts",
  "test/fuzz/targets/readme-own-gate.test.ts",
  "test/fuzz/targets/server-clone-real.test.ts",
  "test/fuzz/targets/server-ledger-real.test.ts",
  "test/fuzz/targets/transport-flaws.test.ts",
  "test/fuzz/targets/transports.test.ts",
  "test/fuzz/vocab/lane-session.test.ts",
  "test/lane/gate/audit-crash.test.ts",
  "test/lane/gate/long-migration.test.ts",
  "test/lane/gate/stdio-limits.test.ts",
  "test/lane/rehearsal/crash-safe.test.ts",
  "test/lane/rehearsal/lane-outside-clone.test.ts",
  "test/lane/rehearsal/lane.test.ts",
  "test/lane/rehearsal/leftover-report.test.ts",
  "test/lane/rehearsal/outage-private.test.ts",
  "test/lane/rehearsal/restore-crash.test.ts",
  "test/lane/rehearsal/session-deadline.test.ts",
  "test/lane/rehearsal/session-escapes-real.test.ts",
  "test/lane/rehearsal/session-escapes.test.ts",
  "test/probes/echo-flaws.test.ts",
  "test/probes/flawed-lanes.test.ts",
  "test/probes/p04-grant-replay.test.ts",
  "test/probes/p08-flaws-found.test.ts",
];
